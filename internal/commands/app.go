// Package commands is solarview's command-line interface, built on
// urfave/cli/v2. Each command group lives in its own file and is listed once
// in [App]; the commands share an [Env] that knows how to reach the database.
//
// Exit codes are part of solarview's contract: 0 success, 1 a user error or
// (for check and makemigrations --check) drift, 2 an error that stops check,
// a command line that cannot be parsed (unknown command or flag, a group
// command without its subcommand), or a database that migrate and rollback
// refuse because it has applied migrations their history lacks; 130 after
// Ctrl-C. User errors print one line on stderr, never a stack trace.
//
// Each leaf command is an options struct read from its command line, a
// Validate method checking the values, and a run given the Env and the
// options (options.go); the shape of every command line (how many
// arguments, whether solarview's tables are needed) is declared in
// commandSpecs (spec.go) and checked before the options are read.
package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/views"
)

// App builds the solarview command-line application writing to stdout and
// stderr.
//
// Everything the commands print on stdout goes through a names.SafeWriter,
// so a name or file content holding terminal escape sequences is shown
// escaped rather than acted on.
func App(stdout, stderr io.Writer) *cli.App {
	env := &Env{Stdout: names.NewSafeWriter(stdout), RawStdout: stdout, Stderr: stderr,
		Views: views.All, RegisterErrors: views.Errors}
	app := &cli.App{
		Name:  "solarview",
		Usage: "views as code and battery what-if reports for home solar data in PostgreSQL",
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name:    "database-url",
				Usage:   "PostgreSQL connection URL (default: the embedded server, started on first use)",
				EnvVars: []string{"DATABASE_URL"},
			},
			&cli.StringFlag{
				Name:    "db",
				Usage:   "`NAME` of the database on the embedded server (default: " + MainDatabase + "; --database-url wins)",
				EnvVars: []string{"SOLARVIEW_DB"},
			},
		},
		Commands: []*cli.Command{
			dbCommand(),
			migrateCommand(),
			rollbackCommand(),
			showMigrationsCommand(),
			makemigrationsCommand(),
			checkCommand(),
			sqlviewCommand(),
			refreshCommand(),
			importCommand(),
			siteCommand(),
			tariffCommand(),
			holidaysCommand(),
			billingCommand(),
			batteryCommand(),
			compareCommand(),
			sensorsCommand(),
			demoCommand(),
		},
		Writer:    stdout,
		ErrWriter: stderr,
		Metadata:  map[string]any{envKey: env},
		Before: func(c *cli.Context) error {
			env.Stdin = c.App.Reader
			env.DatabaseURL = c.String("database-url")
			env.DBName = c.String("db")
			if env.DBName != "" {
				if err := names.Check("database", env.DBName); err != nil {
					return fmt.Errorf("--db: %w", err)
				}
				if env.DatabaseURL != "" {
					fmt.Fprintln(stderr, "note: --database-url / DATABASE_URL is set and wins over --db / SOLARVIEW_DB")
				}
			}
			return nil
		},
		After: func(c *cli.Context) error {
			return env.Close()
		},
		// Main prints errors and chooses the exit code; urfave/cli must not
		// call os.Exit itself.
		ExitErrHandler:       func(*cli.Context, error) {},
		EnableBashCompletion: true,
		HideHelpCommand:      true,
	}
	guardCommands(app)
	return app
}

// Main runs solarview with args (os.Args) and returns the process exit code.
//
// A panic (a bug) is reported as one line too, with exit code 70 (EX_SOFTWARE):
// a stack trace helps nobody who ran a command, and the message is enough to
// report it.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runApp(ctx, App(stdout, stderr), args, stderr)
}

// runApp is Main for an app already built, whose Env a test may have given
// views of its own.
func runApp(ctx context.Context, app *cli.App, args []string, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "solarview: internal error: %s (please report it)\n", names.Escape(strings.ReplaceAll(fmt.Sprint(p), "\n", " ")))
			code = 70
		}
	}()
	if len(args) > 0 {
		envOfApp(app).argv0, envOfApp(app).args = args[0], args
	}
	args, err := flagsFirst(app, args)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	if err == nil {
		return 0
	}
	if ctx.Err() != nil {
		// Ctrl-C or SIGTERM: whatever the command was doing failed because
		// of it, and its own message ("context canceled" wrapped in a guess)
		// would mislead. A command that says what the interruption left
		// behind (import: which files were kept) returns exit code 130
		// with that message.
		msg := "interrupted"
		var said exitError
		if errors.As(err, &said) && said.code == 130 {
			msg = said.msg
		}
		fmt.Fprintf(stderr, "solarview: %s\n", names.Escape(msg))
		return 130
	}
	code = 1
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		code = coder.ExitCode()
	}
	if msg := err.Error(); msg != "" {
		// One line, and nothing a terminal would act on, whatever text the
		// error quotes.
		msg = strings.ReplaceAll(strings.TrimRight(msg, "\n"), "\n", " ")
		fmt.Fprintf(stderr, "solarview: %s\n", names.Escape(msg))
	}
	return code
}

// exitError is an error with an exit code other than 1 (check's 2, or a
// silent 1 whose output was already printed).
type exitError struct {
	msg  string
	code int
}

func (e exitError) Error() string { return e.msg }
func (e exitError) ExitCode() int { return e.code }

// exitCode returns an error that makes Main exit with code, printing msg
// (nothing when msg is empty).
func exitCode(code int, msg string) error { return exitError{msg: msg, code: code} }
