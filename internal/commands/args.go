package commands

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// flagsFirst reorders args so that a command's flags come before its
// positional arguments.
//
// urfave/cli v2 stops reading flags at the first positional argument, so
// `solarview site add home --tz Australia/Perth` would treat "--tz" as a
// second site name. The command-line contract puts flags after positionals
// (`import FILE... --format nem12`), so Main moves them forward before
// parsing. A "--" ends flag handling as usual, and a command with
// SkipFlagParsing keeps its arguments as given.
//
// A flag that needs a value but ends the command line is an error here:
// left alone, `site add home --tz` would take "home" as the zone and then
// complain that the site has no name.
func flagsFirst(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	out := []string{args[0]}
	rest := args[1:]
	flags := app.Flags
	commands := app.Commands
	for len(rest) > 0 {
		// Global or group flags before the command name stay put.
		var flagArgs, positional []string
		i := 0
		for ; i < len(rest); i++ {
			a := rest[i]
			if a == "--" {
				positional = append(positional, rest[i:]...)
				i = len(rest)
				break
			}
			if isFlag(a) {
				flagArgs = append(flagArgs, a)
				if takesValue(flags, a) {
					if i+1 >= len(rest) {
						return nil, exitCode(2, fmt.Sprintf("flag %s needs a value", a))
					}
					i++
					flagArgs = append(flagArgs, rest[i])
				}
				continue
			}
			if sub := findCommand(commands, a); sub != nil && len(positional) == 0 {
				// Descend into the subcommand: what follows is its own.
				out = append(out, flagArgs...)
				out = append(out, a)
				flags, commands = sub.Flags, sub.Subcommands
				rest = rest[i+1:]
				if sub.SkipFlagParsing {
					// The command reads its arguments raw (db psql).
					return append(out, rest...), nil
				}
				goto next
			}
			positional = append(positional, a)
		}
		out = append(out, flagArgs...)
		if wantsHelp(flagArgs) {
			// `site add home --help` is a request for help, which urfave/cli
			// would read as help on a subcommand named "home".
			return out, nil
		}
		return append(out, positional...), nil
	next:
	}
	return out, nil
}

func wantsHelp(flags []string) bool {
	for _, f := range flags {
		if f == "--help" || f == "-h" || f == "-help" {
			return true
		}
	}
	return false
}

func isFlag(a string) bool {
	return len(a) > 1 && strings.HasPrefix(a, "-") && a != "-"
}

// takesValue reports whether flag a (without "=value") expects the next
// argument as its value: every flag but a boolean one does.
func takesValue(flags []cli.Flag, a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	name := strings.TrimLeft(a, "-")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*cli.BoolFlag)
				return !isBool
			}
		}
	}
	if name == "help" || name == "h" {
		return false
	}
	// An unknown flag: leave its neighbour alone; cli reports it.
	return false
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
