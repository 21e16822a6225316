package commands

import (
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/tariff"
)

func holidaysCommand() *cli.Command {
	return &cli.Command{
		Name:  "holidays",
		Usage: "public holidays, for plans whose time-of-use rates name them",
		Subcommands: []*cli.Command{
			{
				Name:      "import",
				Usage:     "import a list of public holidays (CSV: date,name[,region])",
				ArgsUsage: "FILE",
				Description: "FILE is CSV, one holiday a line: date (YYYY-MM-DD), name and optionally a\n" +
					"region (a state or territory code such as NSW or VIC, or a time zone); a\n" +
					"holiday without a region applies everywhere. A site observes the holidays of\n" +
					"its time zone's state. The whole file is imported or nothing; importing it\n" +
					"again changes nothing, and a changed name replaces the stored one.",
				Action: leaf(holidaysImportOptsFrom, holidaysImport),
			},
		},
	}
}

type holidaysImportOpts struct {
	// File is the CSV file of holidays.
	File string
}

func holidaysImportOptsFrom(c *cli.Context) *holidaysImportOpts {
	return &holidaysImportOpts{File: c.Args().First()}
}

func (*holidaysImportOpts) Validate() error { return nil }

func holidaysImport(ctx context.Context, env *Env, opts *holidaysImportOpts) error {
	path := opts.File
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading holidays: %w", err)
	}
	defer f.Close()
	rows, err := tariff.ParseHolidays(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	res, err := tariff.ImportHolidays(ctx, db, rows)
	if err != nil {
		return err
	}
	noun := "holidays"
	if len(rows) == 1 {
		noun = "holiday"
	}
	fmt.Fprintf(env.Stdout, "%s: %d %s: %d added, %d renamed, %d unchanged.\n",
		path, len(rows), noun, res.Added, res.Renamed, res.Unchanged)
	return nil
}
