package commands

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/names"
)

// argSpec declares the shape of a command's command line: how many
// positional arguments it takes and whether it reads solarview's tables.
// [guardCommands] applies it to every command before the command's options
// are read, so every command refuses a stray or missing argument in the
// same words, and the check cannot be forgotten.
//
// What the values must be (a name without control characters, a finite
// number, a date, a known format) is not declared here but checked by the
// command's options' Validate (see options.go), beside the command's other
// rules, where a test can call it without a command line. The split is
// between what is alike for every command (how many arguments, which flags
// are required — cli.StringFlag's Required, see [takeRequired] — and what
// the command needs from the Env) and what only the command knows; a rule
// lives in one of the two, never both.
type argSpec struct {
	// min and max bound the number of positional arguments; max < 0 means
	// no limit.
	min, max int
	// noun names one positional argument in messages ("NAME", "FILE").
	noun string
	// schema is set for commands that read or write solarview's tables:
	// their database must have no pending migration (see [Env.DB]).
	schema bool
	// hint follows the refusal of positional arguments the command does
	// not take, pointing at the flag that was probably meant.
	hint string
}

// many is an argSpec max for "no limit".
const many = -1

// commandSpecs lists every leaf command by its path. A command missing here
// fails TestEveryCommandHasASpec, so a new command cannot forget to declare
// its arguments.
var commandSpecs = map[string]argSpec{
	"db start":        {},
	"db stop":         {},
	"db status":       {},
	"db url":          {max: 1, noun: "DB"},
	"db psql":         {max: many}, // DB, then psql's own arguments
	"migrate":         {},
	"rollback":        {hint: "to undo the migrations applied after one, use --to NAME"},
	"showmigrations":  {},
	"makemigrations":  {},
	"check":           {},
	"sqlview":         {min: 1, max: 1, noun: "VIEW"},
	"refresh":         {max: many, noun: "VIEW"}, // works on any database holding the registered views
	"import":          {min: 1, max: many, noun: "FILE", schema: true},
	"site add":        {min: 1, max: 1, noun: "NAME", schema: true},
	"site list":       {schema: true},
	"tariff add":      {min: 1, max: 1, noun: "NAME", schema: true},
	"tariff list":     {schema: true},
	"tariff show":     {min: 1, max: 1, noun: "NAME", schema: true},
	"billing add":     {schema: true},
	"billing list":    {schema: true},
	"battery":         {schema: true},
	"sensors":         {schema: true},
	"demo":            {},
	"holidays import": {min: 1, max: 1, noun: "FILE", schema: true},
	"compare":         {schema: true},
}

// guardCommands walks app's commands and installs the checks of
// [commandSpecs]: leaf commands get their arguments checked before their
// action runs, group commands print their help and exit 2 when run without
// a (known) subcommand, and usage errors become one line on stderr instead
// of a help screen.
func guardCommands(app *cli.App) {
	app.OnUsageError = usageError
	app.Action = func(c *cli.Context) error { return groupAction(c, "", app.Commands) }
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, cmd := range cmds {
			path := strings.TrimSpace(prefix + " " + cmd.Name)
			cmd.OnUsageError = usageError
			// Without this every leaf would take "help" as a subcommand
			// (`site add help` would print help instead of adding "help").
			cmd.HideHelpCommand = true
			if len(cmd.Subcommands) > 0 {
				subs := cmd.Subcommands
				cmd.Action = func(c *cli.Context) error { return groupAction(c, path, subs) }
				walk(path, cmd.Subcommands)
				continue
			}
			spec, ok := commandSpecs[path]
			if !ok || cmd.Action == nil {
				continue
			}
			action := cmd.Action
			required := takeRequired(cmd)
			cmd.Action = func(c *cli.Context) error {
				if err := spec.check(c, path, required); err != nil {
					return err
				}
				if spec.schema {
					envOf(c).needSchema = true
				}
				return action(c)
			}
		}
	}
	walk("", app.Commands)
}

// takeRequired clears Required on cmd's flags and returns their names:
// urfave/cli prints the whole help screen before a missing required flag's
// error, and solarview's errors are one line.
func takeRequired(cmd *cli.Command) []string {
	var required []string
	for _, f := range cmd.Flags {
		if sf, ok := f.(*cli.StringFlag); ok && sf.Required {
			sf.Required = false
			required = append(required, sf.Name)
		}
	}
	return required
}

// groupAction runs when a group command (or solarview itself) gets no
// subcommand, or one it does not know.
//
// Without one it prints its help on stdout and a line on stderr saying what
// was missing, and exits 2.
func groupAction(c *cli.Context, path string, subs []*cli.Command) error {
	var known []string
	for _, s := range subs {
		if !s.Hidden {
			known = append(known, s.Name)
		}
	}
	if c.NArg() == 0 {
		if path == "" {
			_ = cli.ShowAppHelp(c)
			return exitCode(2, "no command given (see solarview --help)")
		}
		_ = cli.ShowSubcommandHelp(c)
		return exitCode(2, fmt.Sprintf("%s needs a subcommand: %s (see solarview %s --help)", path, strings.Join(known, ", "), path))
	}
	name := c.Args().First()
	full := strings.TrimSpace("solarview " + path)
	if name == "help" && c.NArg() == 1 {
		// `solarview help`, `solarview site help`: what was meant is clear.
		if path == "" {
			return cli.ShowAppHelp(c)
		}
		return cli.ShowSubcommandHelp(c)
	}
	msg := fmt.Sprintf("unknown command %s", names.Quote(strings.TrimSpace(path+" "+name)))
	if s := names.Suggest(name, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", strings.TrimSpace(path+" "+s))
	} else {
		msg += fmt.Sprintf(" (%s has: %s)", full, strings.Join(known, ", "))
	}
	return exitCode(2, msg)
}

// usageError turns urfave/cli's flag errors ("flag provided but not
// defined: -x") into one line naming the command, with exit code 2.
func usageError(c *cli.Context, err error, isSubcommand bool) error {
	where := "solarview"
	if c.Command != nil && strings.HasPrefix(c.Command.HelpName, "solarview ") {
		where = c.Command.HelpName
	}
	msg := err.Error()
	if flag, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		msg = "unknown flag " + flag
	}
	if where != "solarview" {
		msg = strings.TrimPrefix(where, "solarview ") + ": " + msg
	}
	return exitCode(2, fmt.Sprintf("%s (see %s --help)", msg, where))
}

// check applies the spec to a parsed command line.
func (s argSpec) check(c *cli.Context, path string, required []string) error {
	n := c.NArg()
	noun := s.noun
	if noun == "" {
		noun = "argument"
	}
	switch {
	case s.max == 0 && n > 0:
		msg := fmt.Sprintf("%s takes no arguments, got %s", path, quoteArgs(c.Args().Slice()))
		if s.hint != "" {
			msg += " (" + s.hint + ")"
		}
		return errors.New(msg)
	case s.min == 1 && s.max == 1 && n != 1:
		if n == 0 {
			return fmt.Errorf("%s needs exactly one %s", path, noun)
		}
		return fmt.Errorf("%s needs exactly one %s, got %d: %s", path, noun, n, quoteArgs(c.Args().Slice()))
	case n < s.min && s.max < 0:
		return fmt.Errorf("%s needs at least one %s", path, noun)
	case n < s.min:
		return fmt.Errorf("%s needs at least %d %s arguments", path, s.min, noun)
	case s.max >= 0 && n > s.max:
		return fmt.Errorf("%s takes at most %d %s, got %d: %s", path, s.max, noun, n, quoteArgs(c.Args().Slice()))
	}
	for _, f := range required {
		if !c.IsSet(f) {
			return fmt.Errorf("%s needs --%s", path, f)
		}
	}
	return nil
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = names.Quote(a)
	}
	return strings.Join(q, " ")
}
