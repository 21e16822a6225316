package ingest

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// newWritten starts the count of rows written per table with every table
// an import writes to or plans with, so that one never analysed is analysed
// even when the import wrote nothing to it. That matters most for sites:
// its few rows never reach autovacuum's threshold, and without statistics
// the planner takes `summary`'s general path for a large one and streams a
// site-year twenty times slower.
func newWritten() map[string]int64 {
	return map[string]int64{"energy_days": 0, "sites": 0, "import_cumulative": 0, "export_cumulative": 0}
}

// staleTables returns the tables among written (rows the import wrote, per
// table) whose planner statistics the import has put out of date: never
// analysed, or more rows written than autovacuum's default analyse
// threshold (50 rows plus 10% of the table).
//
// Autovacuum would analyse them too, but only on its next round, up to a
// minute later; meanwhile a report run straight after the import (as demo
// does, and as a user does) is planned without statistics, and `summary`
// then costs several times what it should. The loader counts what it
// writes itself: pg_stat_xact_user_tables would be cheaper to ask, but on
// PostgreSQL 15 it still holds the counts of the connection's earlier
// transactions until they are flushed.
func staleTables(ctx context.Context, tx pgx.Tx, written map[string]int64) ([]string, error) {
	var names []string
	var counts []int64
	for name, n := range written {
		names = append(names, name)
		counts = append(counts, n)
	}
	rows, err := tx.Query(ctx, `SELECT t.name
		FROM unnest($1::text[], $2::bigint[]) AS t(name, written)
		JOIN pg_class c ON c.oid = to_regclass(t.name)
		WHERE c.reltuples < 0 OR t.written > 50 + 0.1 * c.reltuples
		ORDER BY t.name`, names, counts)
	if err != nil {
		return nil, fmt.Errorf("reading the planner's statistics: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("reading the planner's statistics: %w", err)
	}
	return stale, nil
}

// analyze refreshes the planner's statistics of tables after the import
// committed. It runs outside the import's transaction, so the import does
// not hold ANALYZE's lock while it merges. A failure loses nothing (the
// data is in, autovacuum analyses later) and is returned as a note.
func analyze(ctx context.Context, db *bun.DB, tables []string) string {
	for _, t := range tables {
		if _, err := db.NewRaw("ANALYZE ?", bun.Ident(t)).Exec(ctx); err != nil {
			return fmt.Sprintf("the planner's statistics of %s were not refreshed (%v): reports may be slow until autovacuum analyses it, or run ANALYZE %s", t, err, t)
		}
	}
	return ""
}
