package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/migrator"
)

// migrationError turns a migrator error into the CLI's: a database holding
// migrations this history lacks exits 2 (as the contract says), everything
// else 1.
func migrationError(cmd string, err error) error {
	var unknown *migrator.UnknownError
	if errors.As(err, &unknown) {
		return exitCode(2, cmd+": "+err.Error())
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "apply every pending migration",
		Description: "Applies the pending migrations of the project's migrations/ directory (found from the\n" +
			"working directory upwards), of --dir, or else those built into the binary; each one\n" +
			"commits together with its record and checksum. Refuses (exit 2) a database holding\n" +
			"applied migrations this history lacks, and (exit 1) one whose applied migration files\n" +
			"have changed since.",
		Flags:  []cli.Flag{dirFlag()},
		Action: leaf(historyOptsFrom, migrate),
	}
}

// historyOpts are the options of migrate and showmigrations: which
// migration history to read.
type historyOpts struct {
	// Dir is --dir, "" when not given (see [historyOf]).
	Dir string
}

func historyOptsFrom(c *cli.Context) *historyOpts { return &historyOpts{Dir: dirOf(c)} }

func (*historyOpts) Validate() error { return nil }

func migrate(ctx context.Context, env *Env, opts *historyOpts) error {
	src, err := historyOf(opts.Dir)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	applied, err := migrator.Migrate(ctx, db, src, env.Stdout)
	if err != nil {
		return migrationError("migrate", err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.Stdout, "No migrations to apply: the database is up to date.")
		return nil
	}
	fmt.Fprintf(env.Stdout, "Applied %d migration(s).\n", len(applied))
	return nil
}

func rollbackCommand() *cli.Command {
	return &cli.Command{
		Name:  "rollback",
		Usage: "undo the last applied group of migrations (or all after --to NAME)",
		Description: "Undoes the last group of migrations that migrate applied, newest first, or with\n" +
			"--to NAME every applied migration after NAME (as showmigrations names it, or its\n" +
			"timestamp). Refuses (exit 1) when a down file would drop or empty a table that holds\n" +
			"rows, listing them, unless --force; refuses (exit 2) a database holding applied\n" +
			"migrations this history lacks.",
		Flags: []cli.Flag{
			dirFlag(),
			&cli.StringFlag{Name: "to", Usage: "undo every applied migration after `NAME`, keeping NAME"},
			&cli.BoolFlag{Name: "force", Usage: "roll back even if tables holding rows are dropped or emptied"},
		},
		Action: leaf(rollbackOptsFrom, rollback),
	}
}

type rollbackOpts struct {
	// Dir is --dir, "" when not given (see [historyOf]).
	Dir string
	// To is --to: undo every migration applied after it; nil undoes the
	// last group.
	To    *string
	Force bool
}

func rollbackOptsFrom(c *cli.Context) *rollbackOpts {
	return &rollbackOpts{Dir: dirOf(c), To: optional(c, "to"), Force: c.Bool("force")}
}

func (o *rollbackOpts) Validate() error {
	if o.To != nil && strings.TrimSpace(*o.To) == "" {
		return errors.New("rollback: --to needs a migration name (see solarview showmigrations)")
	}
	return nil
}

func rollback(ctx context.Context, env *Env, o *rollbackOpts) error {
	src, err := historyOf(o.Dir)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	opts := migrator.RollbackOptions{Force: o.Force}
	if o.To != nil {
		opts.To = strings.TrimSpace(*o.To)
	}
	undone, err := migrator.Rollback(ctx, db, src, opts, env.Stdout)
	if err != nil {
		return migrationError("rollback", err)
	}
	if len(undone) == 0 {
		if opts.To != "" {
			fmt.Fprintf(env.Stdout, "Nothing to roll back: no migration after %s is applied.\n", opts.To)
		} else {
			fmt.Fprintln(env.Stdout, "Nothing to roll back: no migration is applied.")
		}
		return nil
	}
	fmt.Fprintf(env.Stdout, "Rolled back %d migration(s).\n", len(undone))
	return nil
}

func showMigrationsCommand() *cli.Command {
	return &cli.Command{
		Name:   "showmigrations",
		Usage:  "list migrations, applied or pending, and where they come from",
		Flags:  []cli.Flag{dirFlag()},
		Action: leaf(historyOptsFrom, showMigrations),
	}
}

func showMigrations(ctx context.Context, env *Env, opts *historyOpts) error {
	src, err := historyOf(opts.Dir)
	if err != nil {
		return fmt.Errorf("showmigrations: %w", err)
	}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	ms, err := migrator.Status(ctx, db, src)
	if err != nil {
		return fmt.Errorf("showmigrations: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Migrations: %s\n", src)
	t := table.NewWriter()
	t.SetOutputMirror(env.Stdout)
	t.SetStyle(table.StyleLight)
	t.AppendHeader(table.Row{"Migration", "Status", "Group", "Applied at"})
	var applied, pending, unknown, changed int
	for _, m := range ms {
		if !m.Applied {
			pending++
			t.AppendRow(table.Row{m.Label, "pending", "", ""})
			continue
		}
		applied++
		status := "applied"
		switch {
		case !m.InHistory:
			unknown++
			status = "applied, not in this history"
		case m.Changed:
			changed++
			status = "applied, file changed since"
		}
		t.AppendRow(table.Row{m.Label, status, m.GroupID, m.MigratedAt.Local().Format(time.DateTime)})
	}
	t.Render()
	fmt.Fprintf(env.Stdout, "%d applied, %d pending.\n", applied, pending)
	if unknown > 0 {
		fmt.Fprintf(env.Stdout, "%d applied migration(s) are not in this history: migrate and rollback refuse this database until you run them from the project, or with a binary, that has them.\n", unknown)
	}
	if changed > 0 {
		fmt.Fprintf(env.Stdout, "%d applied migration file(s) changed since they were applied: migrate refuses until they are restored.\n", changed)
	}
	return nil
}
