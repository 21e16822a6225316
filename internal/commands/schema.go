package commands

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/internal/pgserver"
)

// checkSchema refuses a database with pending migrations, which would
// otherwise fail later with raw SQL errors such as `relation "sensor_latest"
// does not exist`.
//
// One case migrates itself instead: a database on the embedded server that
// holds nothing at all (no table, not even the migration history). The
// embedded server is solarview's own, so a newcomer's first `site add` or
// `import` should just work, as it would with a file-based store; the note on
// stderr says it happened. A database that was ever migrated, or holds
// anything else, or lives on a server given with --database-url, is never
// migrated behind the user's back.
func (e *Env) checkSchema(ctx context.Context, db *bun.DB) error {
	// The history every command reads (see migrator.Resolve): inside the
	// project, a migration just written by makemigrations is pending too.
	src, err := migrator.Resolve("")
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	ms, err := migrator.Status(ctx, conn, src)
	conn.Close()
	if err != nil {
		return fmt.Errorf("reading the migration history: %w", err)
	}
	pending := 0
	for _, m := range ms {
		if !m.Applied && m.InHistory {
			pending++
		}
	}
	if pending == 0 {
		return nil
	}
	name, err := currentDatabase(ctx, db)
	if err != nil {
		return err
	}
	if e.DatabaseURL == "" && pending == len(ms) {
		n, err := userRelations(ctx, db)
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintf(e.Stderr, "note: database %q on the embedded PostgreSQL is new: applying its %d migrations first\n", name, pending)
			if _, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil {
				return fmt.Errorf("migrating database %q: %w", name, err)
			}
			return nil
		}
	}
	cmd := "solarview migrate"
	if e.DatabaseURL == "" && e.DBName != "" {
		cmd = "solarview --db " + e.DBName + " migrate"
	}
	return fmt.Errorf("database %q is not migrated (%d pending): run %s", name, pending, cmd)
}

func currentDatabase(ctx context.Context, db bun.IDB) (string, error) {
	var name string
	if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		return "", fmt.Errorf("reading the database name: %w", err)
	}
	return name, nil
}

// userRelations counts the tables, views and sequences outside PostgreSQL's
// own schemas: zero means an empty database.
func userRelations(ctx context.Context, db bun.IDB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
		  AND s.nspname <> 'information_schema' AND s.nspname NOT LIKE 'pg\_%'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("looking for tables: %w", err)
	}
	return n, nil
}

// databaseExists refuses a database name the running embedded server does
// not have, listing those it has.
func databaseExists(ctx context.Context, cluster *pgserver.Cluster, name string) error {
	admin, err := database.Open(ctx, cluster.DSN("postgres"))
	if err != nil {
		return err
	}
	defer admin.Close()
	var all []string
	if err := admin.NewSelect().ColumnExpr("datname").Table("pg_database").
		Where("NOT datistemplate AND datname <> 'postgres'").Scan(ctx, &all); err != nil {
		return fmt.Errorf("listing databases: %w", err)
	}
	sort.Strings(all)
	for _, d := range all {
		if d == name {
			return nil
		}
	}
	msg := fmt.Sprintf("database %q does not exist on the embedded PostgreSQL", name)
	if s := names.Suggest(name, all); s != "" {
		return fmt.Errorf("%s; did you mean %q?", msg, s)
	}
	if len(all) == 0 {
		return fmt.Errorf("%s (it has none yet)", msg)
	}
	return fmt.Errorf("%s (it has: %s)", msg, strings.Join(all, ", "))
}
