package migrator

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/solarview/solarview/internal/sqlsum"
)

// ChecksumTable records the checksum ([sqlsum.Of]) of each applied
// migration's up file, keyed by bun_migrations.name.
//
// It is a side table rather than a column of bun_migrations because
// bun/migrate reads that table with SELECT * into its own struct and fails
// on a column it does not know: a new column would break every earlier
// solarview release, and bun's own status queries, against a database this
// release migrated. Rows of bun_migrations written by an earlier release have
// no checksum here; the next migrate records the current file's (see [Migrate]).
// Its name sits with bun's bun_migrations and bun_migration_locks, so
// whatever treats those as bookkeeping rather than schema (a dump filter, a
// test counting the project's tables) treats it the same.
const ChecksumTable = "bun_migration_checksums"

// record is one row of bun_migrations, with its checksum when known.
type record struct {
	ID         int64
	Name       string
	GroupID    int64
	MigratedAt time.Time
	Checksum   sql.NullString
}

// ensureTables creates bun_migrations (bun's own definition, so earlier
// releases still read it) and the checksum table. Callers hold the lock.
func ensureTables(ctx context.Context, db *bun.DB, conn bun.IConn) error {
	if err := migrate.NewMigrator(db, migrate.NewMigrations()).Init(ctx); err != nil {
		return fmt.Errorf("creating migration tables: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS ? (name varchar PRIMARY KEY, checksum text NOT NULL)", bun.Ident(ChecksumTable)); err != nil {
		return fmt.Errorf("creating %s: %w", ChecksumTable, err)
	}
	return nil
}

// readRecords returns bun_migrations in the order the migrations were
// applied. It writes nothing: on a database never migrated it returns none.
func readRecords(ctx context.Context, q bun.IConn) ([]record, error) {
	var hasMigrations, hasSums bool
	err := q.QueryRowContext(ctx, "SELECT to_regclass('bun_migrations') IS NOT NULL, to_regclass(?) IS NOT NULL", ChecksumTable).
		Scan(&hasMigrations, &hasSums)
	if err != nil {
		return nil, fmt.Errorf("reading migration status: %w", err)
	}
	if !hasMigrations {
		return nil, nil
	}
	query := "SELECT m.id, m.name, m.group_id, m.migrated_at, NULL::text FROM bun_migrations AS m ORDER BY m.id"
	var args []any
	if hasSums {
		query = "SELECT m.id, m.name, m.group_id, m.migrated_at, c.checksum FROM bun_migrations AS m LEFT JOIN ? AS c ON c.name = m.name ORDER BY m.id"
		args = append(args, bun.Ident(ChecksumTable))
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading migration status: %w", err)
	}
	defer rows.Close()
	var out []record
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.ID, &r.Name, &r.GroupID, &r.MigratedAt, &r.Checksum); err != nil {
			return nil, fmt.Errorf("reading migration status: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading migration status: %w", err)
	}
	return out, nil
}

// state is a history matched against a database's records.
type state struct {
	src     Source
	files   []*file          // oldest first
	byName  map[string]*file // by timestamp
	records []record         // in the order applied
	applied map[string]*record
	unknown []record // applied, not in this history
}

func newState(ctx context.Context, q bun.IConn, src Source) (*state, error) {
	files, err := load(src)
	if err != nil {
		return nil, err
	}
	recs, err := readRecords(ctx, q)
	if err != nil {
		return nil, err
	}
	st := &state{src: src, files: files, byName: map[string]*file{}, records: recs, applied: map[string]*record{}}
	for _, f := range files {
		st.byName[f.Name] = f
	}
	for i := range recs {
		r := &recs[i]
		st.applied[r.Name] = r
		if st.byName[r.Name] == nil {
			st.unknown = append(st.unknown, *r)
		}
	}
	return st, nil
}

// upSQL reads f's up file and its checksum.
func (st *state) upSQL(f *file) (text, sum string, err error) {
	b, err := fs.ReadFile(st.src.FS, f.UpPath)
	if err != nil {
		return "", "", fmt.Errorf("reading %s: %w", st.src.displayPath(f.UpPath), err)
	}
	sum, err = sqlsum.Of(string(b))
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", st.src.displayPath(f.UpPath), err)
	}
	return string(b), sum, nil
}

// unknownError lists the applied migrations this history lacks, if any.
func (st *state) unknownError() error {
	if len(st.unknown) == 0 {
		return nil
	}
	e := &UnknownError{Source: st.src}
	for _, r := range st.unknown {
		e.Names = append(e.Names, r.Name)
	}
	slices.Sort(e.Names)
	return e
}

// lastGroup is the highest group number recorded (0 when none).
func (st *state) lastGroup() int64 {
	var g int64
	for _, r := range st.records {
		g = max(g, r.GroupID)
	}
	return g
}

// matches reports whether recorded is the checksum of the file (text, sum):
// its own, or one the file says it replaces.
func matches(recorded, sum, text string) bool {
	return recorded == sum || slices.Contains(sqlsum.Accepted(text), recorded)
}
