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

// historyOf returns the migration history command c reads: --dir when the
// user gave it, else the project's migrations/ found from the working
// directory upwards, else the migrations built into the binary. Every
// command that reads migrations goes through here, so they all read the same
// ones.
func historyOf(c *cli.Context) (migrator.Source, error) {
	if c.IsSet("dir") {
		return migrator.Resolve(c.String("dir"))
	}
	return migrator.Resolve("")
}
