package commands

import (
	"fmt"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/migrator"
)

func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "apply every pending migration",
		Action: func(c *cli.Context) error {
			env := envOf(c)
			db, err := env.DB(c.Context)
			if err != nil {
				return err
			}
			applied, err := migrator.Up(c.Context, db, env.Stdout)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if len(applied) == 0 {
				fmt.Fprintln(env.Stdout, "No migrations to apply: the database is up to date.")
				return nil
			}
			fmt.Fprintf(env.Stdout, "Applied %d migration(s).\n", len(applied))
			return nil
		},
	}
}

func rollbackCommand() *cli.Command {
	return &cli.Command{
		Name:  "rollback",
		Usage: "undo the last applied group of migrations",
		Action: func(c *cli.Context) error {
			env := envOf(c)
			db, err := env.DB(c.Context)
			if err != nil {
				return err
			}
			undone, err := migrator.Down(c.Context, db, env.Stdout)
			if err != nil {
				return fmt.Errorf("rollback: %w", err)
			}
			if len(undone) == 0 {
				fmt.Fprintln(env.Stdout, "Nothing to roll back: no migration is applied.")
				return nil
			}
			fmt.Fprintf(env.Stdout, "Rolled back %d migration(s).\n", len(undone))
			return nil
		},
	}
}

func showMigrationsCommand() *cli.Command {
	return &cli.Command{
		Name:  "showmigrations",
		Usage: "list migrations, applied or pending",
		Action: func(c *cli.Context) error {
			env := envOf(c)
			db, err := env.DB(c.Context)
			if err != nil {
				return err
			}
			ms, err := migrator.Status(c.Context, db)
			if err != nil {
				return fmt.Errorf("showmigrations: %w", err)
			}
			t := table.NewWriter()
			t.SetOutputMirror(env.Stdout)
			t.SetStyle(table.StyleLight)
			t.AppendHeader(table.Row{"Migration", "Status", "Group", "Applied at"})
			pending := 0
			for _, m := range ms {
				if m.IsApplied() {
					t.AppendRow(table.Row{migrator.Label(m), "applied", m.GroupID, m.MigratedAt.Local().Format(time.DateTime)})
				} else {
					pending++
					t.AppendRow(table.Row{migrator.Label(m), "pending", "", ""})
				}
			}
			t.Render()
			fmt.Fprintf(env.Stdout, "%d applied, %d pending.\n", len(ms)-pending, pending)
			return nil
		},
	}
}
