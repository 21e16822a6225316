package viewmig

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// querier is what the catalog helpers need: a *sql.DB, *sql.Conn or *sql.Tx.
// Raw database/sql is used rather than Bun so that view SQL is sent exactly
// as generated (Bun would read every ? as a placeholder).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// viewColumns reads the output columns of every view and materialized view
// in the public schema from the catalog.
func viewColumns(ctx context.Context, q querier) (map[string][]Column, error) {
	rows, err := q.QueryContext(ctx, `
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.attcollation = t.typcollation THEN '' ELSE coalesce(co.collname, '') END
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
 WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')
 ORDER BY c.relname, a.attnum`, managedSchema)
	if err != nil {
		return nil, fmt.Errorf("reading view columns: %w", err)
	}
	defer rows.Close()
	out := map[string][]Column{}
	for rows.Next() {
		var view string
		var c Column
		if err := rows.Scan(&view, &c.Name, &c.Type, &c.Collation); err != nil {
			return nil, err
		}
		out[view] = append(out[view], c)
	}
	return out, rows.Err()
}

// probeColumns plans the views of both states against the database db,
// which holds the views of from (the migrations applied): it reads from's
// columns, then, inside a transaction that is always rolled back, drops
// from's views and creates every view of to in dependency order, and reads
// the columns PostgreSQL gives them.
func probeColumns(ctx context.Context, db *sql.DB, from, to map[string]*Definition) (fromCols, toCols map[string][]Column, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback() //nolint:errcheck // rolled back on purpose: planning only

	fromCols, err = viewColumns(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range reverse(topoOrder(from, sortedNames(from))) {
		stmt := "DROP " + from[name].kind() + " IF EXISTS " + quoteIdent(name) + " CASCADE"
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, nil, fmt.Errorf("planning: dropping view %s: %w", name, err)
		}
	}
	for _, name := range topoOrder(to, sortedNames(to)) {
		d := to[name]
		stmt := "CREATE " + d.kind() + " " + quoteIdent(name) + " AS " + d.Query + " WITH NO DATA"
		if !d.Materialized {
			stmt = "CREATE VIEW " + quoteIdent(name) + " AS " + d.Query
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			err = fmt.Errorf("view %s does not plan on PostgreSQL: %w", name, err)
			if d.Source.File != "" {
				err = &SourceError{Source: d.Source, Err: err}
			}
			return nil, nil, err
		}
	}
	toCols, err = viewColumns(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	return fromCols, toCols, nil
}

// verifyMigration runs up and then down inside a transaction that is always
// rolled back, checking that after up the views have the columns planned
// for to, and after down those of from again.
func verifyMigration(ctx context.Context, db *sql.DB, up, down string, fromCols, toCols map[string][]Column) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // verification only
	if _, err := tx.ExecContext(ctx, up); err != nil {
		return fmt.Errorf("the generated up migration fails: %w", err)
	}
	got, err := viewColumns(ctx, tx)
	if err != nil {
		return err
	}
	if diff := diffColumns(toCols, got); diff != "" {
		return fmt.Errorf("after the generated up migration, %s", diff)
	}
	if _, err := tx.ExecContext(ctx, down); err != nil {
		return fmt.Errorf("the generated down migration fails: %w", err)
	}
	got, err = viewColumns(ctx, tx)
	if err != nil {
		return err
	}
	if diff := diffColumns(fromCols, got); diff != "" {
		return fmt.Errorf("after the generated down migration, %s", diff)
	}
	return nil
}

// diffColumns describes the first difference between two column maps, ""
// when equal.
func diffColumns(want, got map[string][]Column) string {
	names := map[string]bool{}
	for n := range want {
		names[n] = true
	}
	for n := range got {
		names[n] = true
	}
	for _, n := range keys(names) {
		w, g := want[n], got[n]
		if len(w) != len(g) {
			return fmt.Sprintf("view %s has %d columns, want %d", n, len(g), len(w))
		}
		for i := range w {
			if w[i] != g[i] {
				return fmt.Sprintf("view %s column %d is %s %s, want %s %s", n, i+1, g[i].Name, g[i].Type, w[i].Name, w[i].Type)
			}
		}
	}
	return ""
}

func sortedNames(m map[string]*Definition) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
