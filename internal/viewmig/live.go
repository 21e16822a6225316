package viewmig

import (
	"context"
	"fmt"
	"io/fs"
	"sort"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// DatabaseReport compares a live database with the migrations.
type DatabaseReport struct {
	// Pending are the migrations not applied to the database, oldest first.
	Pending []string `json:"pending,omitempty"`
	// Drift lists views whose live definition is not what the migrations
	// created. It is only computed when no migration is pending: before
	// that, the database is expected to differ.
	Drift []LiveDrift `json:"drift,omitempty"`
}

// LiveDrift is a view whose live state differs from the migrations.
type LiveDrift struct {
	View string `json:"view"`
	// Problem is "changed", "missing" (the migrations create it but the
	// database lacks it) or "unexpected" (in the database only).
	Problem string `json:"problem"`
	// Diff is a unified diff from pg_get_viewdef of the migrations'
	// definition to that of the live view ("changed" only).
	Diff string `json:"diff,omitempty"`
}

// Clean reports whether the database matches the migrations.
func (r *DatabaseReport) Clean() bool { return len(r.Pending) == 0 && len(r.Drift) == 0 }

// CompareDatabase compares the database db with the migrations in fsys
// (replayed as h): it lists pending migrations and, when none is pending,
// compares every view's live definition with the migrations'. Both sides go
// through PostgreSQL's own pg_get_viewdef: each migration definition is
// created as a temporary view inside a transaction that is rolled back, so
// nothing in the database changes, and the comparison is immune to how
// either side was spelled.
func CompareDatabase(ctx context.Context, db *bun.DB, fsys fs.FS, h *History) (*DatabaseReport, error) {
	rep := &DatabaseReport{}
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var hasTable bool
	if err := db.DB.QueryRowContext(ctx, "SELECT to_regclass('bun_migrations') IS NOT NULL").Scan(&hasTable); err != nil {
		return nil, fmt.Errorf("reading migration status: %w", err)
	}
	if !hasTable {
		for _, m := range ms.Sorted() {
			rep.Pending = append(rep.Pending, m.String())
		}
	} else {
		status, err := migrate.NewMigrator(db, ms).MigrationsWithStatus(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading migration status: %w", err)
		}
		for _, m := range status.Unapplied() {
			rep.Pending = append(rep.Pending, m.String())
		}
	}
	if len(rep.Pending) > 0 {
		return rep, nil
	}

	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only comparison
	live, err := liveViews(ctx, tx)
	if err != nil {
		return nil, err
	}
	names := sortedNames(h.Views)
	for i, name := range names {
		got, ok := live[name]
		if !ok {
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: "missing"})
			continue
		}
		tmp := fmt.Sprintf("solarview_check_%d", i)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT probe"); err != nil {
			return nil, err
		}
		var want string
		_, err := tx.ExecContext(ctx, "CREATE TEMPORARY VIEW "+quoteIdent(tmp)+" AS "+h.Views[name].Query)
		if err == nil {
			err = tx.QueryRowContext(ctx, "SELECT pg_get_viewdef(to_regclass('pg_temp.'||$1))", tmp).Scan(&want)
		}
		if err != nil {
			// The migrations' definition no longer plans against this
			// database: it cannot be what the live view is.
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT probe"); rerr != nil {
				return nil, rerr
			}
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: "changed", Diff: "the migrations' definition fails on this database: " + err.Error()})
			continue
		}
		if want != got {
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: "changed", Diff: unified("migrations/"+name, "database/"+name, want, got)})
		}
	}
	for name := range live {
		if h.Views[name] == nil {
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: "unexpected"})
		}
	}
	sort.Slice(rep.Drift, func(i, j int) bool { return rep.Drift[i].View < rep.Drift[j].View })
	return rep, nil
}
