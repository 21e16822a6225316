package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/migrator"
)

// dirFlag is the --dir flag of every command that reads the migrations.
func dirFlag() cli.Flag {
	return &cli.StringFlag{Name: "dir",
		Usage: "migrations `DIR`ectory (default: the project's migrations/, found from the working directory upwards, else those built into the binary)"}
}

// dirOf is --dir as the user gave it, or "" when not given (whatever
// default the flag shows in its help).
func dirOf(c *cli.Context) string {
	if c.IsSet("dir") {
		return c.String("dir")
	}
	return ""
}

// historyOf returns the migration history a command reads: dir (--dir) when
// given, else the project's migrations/ found from the working directory
// upwards, else the migrations built into the binary. Every command that
// reads migrations goes through here, so they all read the same ones.
func historyOf(dir string) (migrator.Source, error) {
	return migrator.Resolve(dir)
}
