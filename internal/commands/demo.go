package commands

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/migrator"
)

// DemoDatabase is the embedded database `solarview demo` fills, kept apart
// from the user's own data.
const DemoDatabase = "solarview_demo"

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "migrate the embedded demo database, load a generated sample year and print a battery report",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "reset", Usage: "empty the demo database first"},
		},
		Action: func(c *cli.Context) error {
			env := envOf(c)
			if c.Bool("reset") && env.DatabaseURL != "" {
				return errors.New("demo --reset only empties the embedded demo database; it refuses to wipe --database-url")
			}
			db, err := env.OpenDatabase(c.Context, DemoDatabase)
			if err != nil {
				return err
			}
			if c.Bool("reset") {
				if _, err := db.ExecContext(c.Context, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
					return fmt.Errorf("resetting the demo database: %w", err)
				}
				fmt.Fprintln(env.Stdout, "Emptied the demo database.")
			}
			applied, err := migrator.Up(c.Context, db, env.Stdout)
			if err != nil {
				return fmt.Errorf("migrating the demo database: %w", err)
			}
			fmt.Fprintf(env.Stdout, "Demo database %q is migrated (%d migration(s) applied now).\n", DemoDatabase, len(applied))
			return nil
		},
	}
}
