// Package migrator applies and rolls back solarview's migrations: the SQL
// files bun/migrate discovers, recorded in bun/migrate's bun_migrations
// table, so databases migrated by earlier releases (which ran bun/migrate
// itself) carry on.
//
// What it adds to bun/migrate:
//
//   - One history ([Resolve]): the project's migrations/ directory when run
//     inside the project, --dir, or the set built into the binary. A database
//     that applied migrations this history lacks is refused ([UnknownError]).
//   - Applied means recorded: a migration's SQL, its bun_migrations row and its
//     checksum commit in one transaction (bun commits the migration and then
//     inserts the row, so a crash between the two left a migration applied but
//     unrecorded, and every later migrate failed on "already exists").
//   - Recorded means unchanged: the checksum ([ChecksumTable]) lets [Up] refuse
//     and [Validate] report an applied migration whose file has changed.
//   - A rollback that refuses to drop tables holding rows ([Rollback]).
//
// Everything that writes runs on one connection holding a session-level
// pg_advisory_lock. bun/migrate's own lock is a row in a table, which a
// crashed run leaves behind; the advisory lock goes away with its connection,
// and makes a second concurrent `solarview migrate` wait for the first and
// then find nothing left to do. A killed run loses at most the migration in
// progress, whose transaction the server rolls back.
package migrator

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// lockKey is the advisory lock key solarview migrations hold. It is
// arbitrary but fixed: every solarview version must use the same one.
const lockKey int64 = 0x736f6c6172766965 // "solarvie"

// Label names a migration as its files do: "20261121000001_foundation".
// bun/migrate keeps the timestamp as the name and the rest as a comment.
func Label(m migrate.Migration) string { return label(m.Name, m.Comment) }

// Up applies every pending migration built into the binary (tests and the
// demo use it); see [Migrate].
func Up(ctx context.Context, db *bun.DB, w io.Writer) ([]string, error) {
	return Migrate(ctx, db, EmbeddedSource(), w)
}

// Migrate applies every pending migration of src in name order, each in
// its own transaction together with its record and checksum, and returns
// the labels (see [Label]) of those it applied. Progress goes to w.
//
// Before applying anything it refuses a database holding applied migrations
// src lacks ([UnknownError]) or whose files changed since ([ChangedError]).
// Applied migrations recorded without a checksum (by an earlier release) get
// the checksum of their current file: there is nothing older to compare with.
func Migrate(ctx context.Context, db *bun.DB, src Source, w io.Writer) ([]string, error) {
	var applied []string
	err := withLock(ctx, db, w, func(conn bun.Conn) error {
		if err := ensureTables(ctx, db, conn); err != nil {
			return err
		}
		st, err := newState(ctx, conn, src)
		if err != nil {
			return err
		}
		if err := st.unknownError(); err != nil {
			return err
		}
		problems, err := st.validate()
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return &ChangedError{Problems: problems}
		}
		if err := st.recordMissingChecksums(ctx, conn); err != nil {
			return err
		}
		group := st.lastGroup() + 1
		for _, f := range st.files {
			if st.applied[f.Name] != nil {
				continue
			}
			if err := st.apply(ctx, conn, f, group); err != nil {
				return fmt.Errorf("applying %s: %w", f.label(), err)
			}
			applied = append(applied, f.label())
			fmt.Fprintf(w, "applied %s\n", f.label())
		}
		return nil
	})
	return applied, err
}

// apply runs f's up file and records it. A .tx file and its record commit
// together; a file without .tx (for statements that cannot run in a
// transaction, such as CREATE INDEX CONCURRENTLY) runs first and is recorded
// after, as bun/migrate does: such a file should be safe to run twice.
func (st *state) apply(ctx context.Context, conn bun.Conn, f *file, group int64) error {
	text, sum, err := st.upSQL(f)
	if err != nil {
		return err
	}
	stmts, err := statements(text)
	if err != nil {
		return fmt.Errorf("%s: %w", st.src.displayPath(f.UpPath), err)
	}
	record := func(tx bun.Tx) error {
		m := &migrate.Migration{Name: f.Name, GroupID: group}
		if _, err := tx.NewInsert().Model(m).ModelTableExpr("bun_migrations").Exec(ctx); err != nil {
			return fmt.Errorf("recording it: %w", err)
		}
		return upsertChecksum(ctx, tx, f.Name, sum)
	}
	if !f.UpTx {
		if err := execAll(ctx, conn, stmts); err != nil {
			return err
		}
		return inTx(ctx, conn, record)
	}
	return inTx(ctx, conn, func(tx bun.Tx) error {
		if err := execAll(ctx, tx, stmts); err != nil {
			return err
		}
		return record(tx)
	})
}

func upsertChecksum(ctx context.Context, q bun.IConn, name, sum string) error {
	_, err := q.ExecContext(ctx, "INSERT INTO ? (name, checksum) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum",
		bun.Ident(ChecksumTable), name, sum)
	if err != nil {
		return fmt.Errorf("recording its checksum: %w", err)
	}
	return nil
}

// recordMissingChecksums gives every applied migration recorded without a
// checksum the checksum of its file, in one transaction.
func (st *state) recordMissingChecksums(ctx context.Context, conn bun.Conn) error {
	type missing struct{ name, sum string }
	var todo []missing
	for _, f := range st.files {
		if r := st.applied[f.Name]; r != nil && !r.Checksum.Valid {
			_, sum, err := st.upSQL(f)
			if err != nil {
				return err
			}
			todo = append(todo, missing{f.Name, sum})
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return inTx(ctx, conn, func(tx bun.Tx) error {
		for _, m := range todo {
			if err := upsertChecksum(ctx, tx, m.name, m.sum); err != nil {
				return err
			}
		}
		return nil
	})
}

// execAll sends each batch as bun/migrate would (bun's ExecContext, so the
// files are read exactly as earlier releases read them).
func execAll(ctx context.Context, q bun.IConn, stmts []string) error {
	for _, s := range stmts {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// inTx runs fn in a transaction on conn, committing when it succeeds.
func inTx(ctx context.Context, conn bun.Conn, fn func(bun.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) || errors.Is(err, sql.ErrConnDone) {
		return nil
	}
	return err
}

// MigrationStatus is one line of showmigrations.
type MigrationStatus struct {
	// Label names the migration ("20261121000001_foundation"); for one
	// the history lacks, the timestamp alone.
	Label string
	// File is the up file; empty when the history lacks the migration.
	File       string
	Applied    bool
	InHistory  bool
	GroupID    int64
	MigratedAt time.Time
	// Changed: applied, and the file changed since (see [Validate]).
	Changed bool
	// Checksummed: applied with a recorded checksum.
	Checksummed bool
}

// Status lists every migration of src, applied or pending, and every
// applied migration src lacks, in name order. It writes nothing: on a
// database never migrated, all are pending.
func Status(ctx context.Context, db bun.IConn, src Source) ([]MigrationStatus, error) {
	st, err := newState(ctx, db, src)
	if err != nil {
		return nil, err
	}
	problems, err := st.validate()
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for _, p := range problems {
		if p.Kind == Changed {
			changed[p.Migration] = true
		}
	}
	var out []MigrationStatus
	for _, f := range st.files {
		s := MigrationStatus{Label: f.label(), File: st.src.displayPath(f.UpPath), InHistory: true}
		if r := st.applied[f.Name]; r != nil {
			s.Applied, s.GroupID, s.MigratedAt, s.Checksummed = true, r.GroupID, r.MigratedAt, r.Checksum.Valid
			s.Changed = changed[s.Label]
		}
		out = append(out, s)
	}
	for _, r := range st.unknown {
		out = append(out, MigrationStatus{Label: r.Name, Applied: true, GroupID: r.GroupID, MigratedAt: r.MigratedAt, Checksummed: r.Checksum.Valid})
	}
	// Unknown ones take their place among the others by timestamp.
	sortStatus(out)
	return out, nil
}

// withLock runs fn on a dedicated connection holding the migration advisory
// lock. Migrations run on that same connection: if it dies, the lock and the
// migration in progress go with it.
func withLock(ctx context.Context, db *bun.DB, w io.Writer, fn func(bun.Conn) error) (err error) {
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
		if uerr != nil {
			// Have the pool close this connection rather than reuse it:
			// closing it releases the lock if the server still holds it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil && !errors.Is(uerr, sql.ErrConnDone) && !errors.Is(uerr, driver.ErrBadConn) {
				err = fmt.Errorf("releasing the migration lock: %w", uerr)
			}
		}
	}()
	return fn(conn)
}

func sortStatus(ms []MigrationStatus) {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Label < ms[j].Label })
}
