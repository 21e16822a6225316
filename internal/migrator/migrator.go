// Package migrator applies and rolls back solarview's migrations with
// bun/migrate, under a PostgreSQL advisory lock.
//
// bun/migrate's own lock is a row in a table, which a crashed run leaves
// behind; a session-level pg_advisory_lock is released by the server when
// its connection goes away, and makes a second concurrent `solarview migrate`
// wait for the first and then find nothing left to do. Every migration runs
// in its own transaction (the files are .tx.up.sql) and is marked applied only
// after it succeeds, so a failing migration leaves the database as it was
// before that migration.
package migrator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/solarview/solarview/migrations"
)

// lockKey is the advisory lock key solarview migrations hold. It is
// arbitrary but fixed: every solarview version must use the same one.
const lockKey int64 = 0x736f6c6172766965 // "solarvie"

// Migration is one migration and whether it is applied.
type Migration = migrate.Migration

// Label names a migration as its files do: "20261121000001_foundation".
// bun/migrate keeps the timestamp as the name and the rest as a comment.
func Label(m Migration) string {
	if m.Comment == "" {
		return m.Name
	}
	return m.Name + "_" + m.Comment
}

// Up applies every pending migration in name order and returns the labels
// (see [Label]) of those it applied. Progress goes to w.
func Up(ctx context.Context, db *bun.DB, w io.Writer) ([]string, error) {
	ms, err := migrations.New()
	if err != nil {
		return nil, err
	}
	return UpWith(ctx, db, ms, w)
}

// UpWith is [Up] for an arbitrary set of migrations (tests use it with
// their own files).
func UpWith(ctx context.Context, db *bun.DB, ms *migrate.Migrations, w io.Writer) ([]string, error) {
	var applied []string
	err := withLock(ctx, db, w, func(m *migrate.Migrator) error {
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("creating migration tables: %w", err)
		}
		group, err := m.Migrate(ctx)
		for _, mig := range appliedIn(group, err) {
			applied = append(applied, Label(mig))
			fmt.Fprintf(w, "applied %s\n", Label(mig))
		}
		return err
	}, ms)
	return applied, err
}

// appliedIn lists the migrations of group that really ran: when Migrate
// fails, group includes the failed migration as its last element.
func appliedIn(group *migrate.MigrationGroup, err error) migrate.MigrationSlice {
	if group == nil {
		return nil
	}
	ms := group.Migrations
	if err != nil && len(ms) > 0 {
		ms = ms[:len(ms)-1]
	}
	return ms
}

// Down rolls back the last applied group of migrations and returns the names
// it rolled back, newest first.
func Down(ctx context.Context, db *bun.DB, w io.Writer) ([]string, error) {
	ms, err := migrations.New()
	if err != nil {
		return nil, err
	}
	return DownWith(ctx, db, ms, w)
}

// DownWith is [Down] for an arbitrary set of migrations.
func DownWith(ctx context.Context, db *bun.DB, ms *migrate.Migrations, w io.Writer) ([]string, error) {
	var undone []string
	err := withLock(ctx, db, w, func(m *migrate.Migrator) error {
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("creating migration tables: %w", err)
		}
		group, err := m.Rollback(ctx)
		for _, mig := range appliedIn(group, err) {
			undone = append(undone, Label(mig))
			fmt.Fprintf(w, "rolled back %s\n", Label(mig))
		}
		return err
	}, ms)
	return undone, err
}

// Status lists every migration, applied or pending, oldest first. It writes
// nothing to the database: on a database never migrated, all are pending.
func Status(ctx context.Context, db *bun.DB) (migrate.MigrationSlice, error) {
	ms, err := migrations.New()
	if err != nil {
		return nil, err
	}
	m := migrate.NewMigrator(db, ms)
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('bun_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		all := ms.Sorted()
		return all, nil
	}
	return m.MigrationsWithStatus(ctx)
}

// withLock runs fn with a migrator while this process holds the migration
// advisory lock on a dedicated connection.
func withLock(ctx context.Context, db *bun.DB, w io.Writer, fn func(*migrate.Migrator) error, ms *migrate.Migrations) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()

	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?)", lockKey).Scan(&got); err != nil {
		return fmt.Errorf("taking the migration lock: %w", err)
	}
	if !got {
		fmt.Fprintln(w, "waiting for another migration run to finish…")
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", lockKey); err != nil {
			return fmt.Errorf("waiting for the migration lock: %w", err)
		}
	}
	defer func() {
		// A background context: the lock must be released even when ctx
		// was cancelled, or this pooled connection would keep it.
		_, uerr := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(?)", lockKey)
		if uerr != nil && !errors.Is(uerr, sql.ErrConnDone) {
			err = errors.Join(err, fmt.Errorf("releasing the migration lock: %w", uerr))
		}
	}()

	return fn(migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true)))
}
