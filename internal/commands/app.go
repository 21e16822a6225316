// Package commands is solarview's command-line interface, built on
// urfave/cli/v2. Each command group lives in its own file and is listed once
// in [App]; the commands share an [Env] that knows how to reach the database.
//
// Exit codes are part of solarview's contract: 0 success, 1 a user error or
// (for check and makemigrations --check) drift, 2 an error that stops check.
// User errors print one line on stderr, never a stack trace.
package commands

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// App builds the solarview command-line application writing to stdout and
// stderr.
func App(stdout, stderr io.Writer) *cli.App {
	env := &Env{Stdout: stdout, Stderr: stderr}
	return &cli.App{
		Name:  "solarview",
		Usage: "views as code and battery what-if reports for home solar data in PostgreSQL",
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name:    "database-url",
				Usage:   "PostgreSQL connection URL (default: the embedded server, started on first use)",
				EnvVars: []string{"DATABASE_URL"},
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
			env.DatabaseURL = c.String("database-url")
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
}

// Main runs solarview with args (os.Args) and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := App(stdout, stderr)
	err := app.RunContext(ctx, flagsFirst(app, args))
	if err == nil {
		return 0
	}
	code := 1
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		code = coder.ExitCode()
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "solarview: %s\n", msg)
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
