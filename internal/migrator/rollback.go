package migrator

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/uptrace/bun"
)

// RollbackOptions says what [Rollback] undoes.
type RollbackOptions struct {
	// To, when set, names an applied migration (its label, as showmigrations
	// prints it, or its timestamp alone): every applied migration after it
	// in the history is undone, and it stays. Empty: the last group that
	// migrate applied.
	To string
	// Force undoes the migrations even when their down files would drop or
	// empty tables holding rows. Without it such a rollback is refused
	// ([DataLossError]) before anything runs.
	Force bool
}

// Down rolls back the last group of the migrations built into the binary,
// refusing to lose rows (tests use it); see [Rollback].
func Down(ctx context.Context, db *bun.DB, w io.Writer) ([]string, error) {
	return Rollback(ctx, db, EmbeddedSource(), RollbackOptions{}, w)
}

// Rollback undoes applied migrations of src as opts says, newest first (in
// the reverse of the order they were applied), and returns the labels it
// undid. Each down file runs in its own transaction together with deleting
// the migration's record.
//
// Before running anything it refuses a database holding applied migrations
// src lacks ([UnknownError]), a migration without a readable down file, and,
// unless opts.Force, down files that would drop or truncate tables holding
// rows ([DataLossError]; found by parsing them, see [AtRisk]). When a down
// file fails, the error is a [*RollbackError] telling what was undone and
// what is still applied.
func Rollback(ctx context.Context, db *bun.DB, src Source, opts RollbackOptions, w io.Writer) ([]string, error) {
	var undone []string
	err := withLock(ctx, db, w, func(conn bun.Conn) error {
		st, err := newState(ctx, conn, src)
		if err != nil {
			return err
		}
		if err := st.unknownError(); err != nil {
			return err
		}
		plan, err := st.plan(opts.To)
		if err != nil || len(plan) == 0 {
			return err
		}
		downs := make([]string, len(plan))
		for i, f := range plan {
			if f.DownPath == "" {
				return fmt.Errorf("cannot roll back %s: it has no down file (%s); nothing was changed", f.label(), st.src.displayPath(strings.Replace(f.UpPath, ".up.sql", ".down.sql", 1)))
			}
			b, err := fs.ReadFile(st.src.FS, f.DownPath)
			if err != nil {
				return fmt.Errorf("cannot roll back %s: reading %s: %w; nothing was changed", f.label(), st.src.displayPath(f.DownPath), err)
			}
			downs[i] = string(b)
		}
		if !opts.Force {
			var risk []TableRows
			for i, f := range plan {
				r, err := AtRisk(ctx, conn, downs[i])
				if err != nil {
					return fmt.Errorf("cannot tell what %s drops (%w): nothing was changed; use --force to roll back anyway", st.src.displayPath(f.DownPath), err)
				}
				for j := range r {
					r[j].Migration = f.label()
				}
				risk = append(risk, r...)
			}
			if risk = dedupe(risk); len(risk) > 0 {
				return &DataLossError{Tables: risk, To: opts.To}
			}
		}
		if err := ensureTables(ctx, db, conn); err != nil {
			return err
		}
		for i, f := range plan {
			if err := st.undo(ctx, conn, f, downs[i]); err != nil {
				e := &RollbackError{Failed: f.label(), Undone: undone, Err: err}
				for _, g := range plan[i:] {
					e.NotUndone = append(e.NotUndone, g.label())
				}
				return e
			}
			undone = append(undone, f.label())
			fmt.Fprintf(w, "rolled back %s\n", f.label())
		}
		return nil
	})
	return undone, err
}

// plan lists the migrations to undo in the reverse of the order they were
// applied (unknown ones were refused before).
func (st *state) plan(to string) ([]*file, error) {
	var pick func(r *record) bool
	if to == "" {
		last := st.lastGroup()
		pick = func(r *record) bool { return r.GroupID == last }
	} else {
		var target *file
		for _, f := range st.files {
			if f.label() == to || f.Name == to {
				target = f
				break
			}
		}
		switch {
		case target == nil:
			return nil, fmt.Errorf("--to %s: no such migration in this history (%s); see solarview showmigrations", to, st.src)
		case st.applied[target.Name] == nil:
			return nil, fmt.Errorf("--to %s: that migration is not applied; rollback --to keeps an applied migration and undoes those after it", to)
		}
		pick = func(r *record) bool { return r.Name > target.Name }
	}
	var out []*file
	for i := len(st.records) - 1; i >= 0; i-- {
		if r := &st.records[i]; pick(r) {
			out = append(out, st.byName[r.Name])
		}
	}
	return out, nil
}

// undo runs f's down file and deletes its record, in one transaction for
// a .tx.down.sql file.
func (st *state) undo(ctx context.Context, conn bun.Conn, f *file, text string) error {
	stmts, err := statements(text)
	if err != nil {
		return fmt.Errorf("%s: %w", st.src.displayPath(f.DownPath), err)
	}
	forget := func(tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM bun_migrations WHERE name = ?", f.Name); err != nil {
			return fmt.Errorf("deleting its record: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM ? WHERE name = ?", bun.Ident(ChecksumTable), f.Name); err != nil {
			return fmt.Errorf("deleting its checksum: %w", err)
		}
		return nil
	}
	if !f.DownTx {
		if err := execAll(ctx, conn, stmts); err != nil {
			return err
		}
		return inTx(ctx, conn, forget)
	}
	return inTx(ctx, conn, func(tx bun.Tx) error {
		if err := execAll(ctx, tx, stmts); err != nil {
			return err
		}
		return forget(tx)
	})
}

// DataLossError is [Rollback]'s refusal: the down files would drop or empty
// these tables, which hold rows. Nothing was changed.
type DataLossError struct {
	Tables []TableRows
	To     string // the --to the rollback was asked for, for the hint
}

func (e *DataLossError) Error() string {
	var parts []string
	for _, t := range e.Tables {
		parts = append(parts, t.String())
	}
	cmd := "solarview rollback --force"
	if e.To != "" {
		cmd = "solarview rollback --to " + e.To + " --force"
	}
	return fmt.Sprintf("refusing to roll back: it would delete data in %s; nothing was changed. Back up what you need (solarview db psql, pg_dump), then run `%s`",
		strings.Join(parts, ", "), cmd)
}

// RollbackError is a rollback that failed part way: Undone were rolled back
// (newest first), Failed and the rest of NotUndone are still applied.
type RollbackError struct {
	Failed    string
	Undone    []string
	NotUndone []string
	Err       error
}

func (e *RollbackError) Error() string {
	undone := "none"
	if len(e.Undone) > 0 {
		undone = strings.Join(e.Undone, ", ")
	}
	return fmt.Sprintf("rolling back %s failed: %v; rolled back: %s; still applied: %s",
		e.Failed, oneLine(e.Err), undone, strings.Join(e.NotUndone, ", "))
}

func (e *RollbackError) Unwrap() error { return e.Err }

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// TableRows is a table, or one column of it, that a down file would drop or
// empty, and how many rows (non-null values, for a column) it holds.
type TableRows struct {
	Table     string `json:"table"` // schema-qualified unless in public
	Column    string `json:"column,omitempty"`
	Rows      int64  `json:"rows"`
	Action    string `json:"action"` // "dropped" or "emptied"
	Migration string `json:"migration"`
}

func (t TableRows) String() string {
	if t.Column != "" {
		return fmt.Sprintf("column %s.%s (%s, dropped by %s)", t.Table, t.Column, count(t.Rows, "value"), t.Migration)
	}
	return fmt.Sprintf("%s (%s, %s by %s)", t.Table, count(t.Rows, "row"), t.Action, t.Migration)
}

func count(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// dedupe keeps the first mention of each table or column.
func dedupe(ts []TableRows) []TableRows {
	seen := map[string]bool{}
	var out []TableRows
	for _, t := range ts {
		k := t.Table + "\x00" + t.Column
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}

// AtRisk parses sql (a down file) and returns the tables it would drop or
// empty that hold rows in the database q reaches, with their row counts:
// DROP TABLE, TRUNCATE (with CASCADE, every table whose foreign keys reach
// a truncated one, as PostgreSQL would), DROP SCHEMA … CASCADE (every table
// of the schema), and ALTER TABLE … DROP COLUMN (non-null values). Tables
// that do not exist now are skipped: IF EXISTS, or created by another down
// file. What it cannot see (dynamic SQL in DO blocks or functions) it does
// not report.
func AtRisk(ctx context.Context, q bun.IConn, sql string) ([]TableRows, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, err
	}
	var out []TableRows
	add := func(rs []TableRows, err error) error {
		out = append(out, rs...)
		return err
	}
	for _, raw := range tree.GetStmts() {
		node := raw.GetStmt()
		switch {
		case node.GetDropStmt() != nil:
			d := node.GetDropStmt()
			cascade := d.GetBehavior() == pg_query.DropBehavior_DROP_CASCADE
			for _, obj := range d.GetObjects() {
				switch d.GetRemoveType() {
				case pg_query.ObjectType_OBJECT_TABLE:
					if err := add(tablesNamed(ctx, q, nameParts(obj), false, "dropped")); err != nil {
						return nil, err
					}
				case pg_query.ObjectType_OBJECT_SCHEMA:
					if cascade {
						if err := add(schemaTables(ctx, q, obj.GetString_().GetSval())); err != nil {
							return nil, err
						}
					}
				}
			}
		case node.GetTruncateStmt() != nil:
			tr := node.GetTruncateStmt()
			cascade := tr.GetBehavior() == pg_query.DropBehavior_DROP_CASCADE
			for _, rel := range tr.GetRelations() {
				rv := rel.GetRangeVar()
				if err := add(tablesNamed(ctx, q, rangeVarParts(rv), cascade, "emptied")); err != nil {
					return nil, err
				}
			}
		case node.GetAlterTableStmt() != nil:
			at := node.GetAlterTableStmt()
			if at.GetObjtype() != pg_query.ObjectType_OBJECT_TABLE {
				continue
			}
			for _, c := range at.GetCmds() {
				cmd := c.GetAlterTableCmd()
				if cmd.GetSubtype() == pg_query.AlterTableType_AT_DropColumn {
					if err := add(columnValues(ctx, q, rangeVarParts(at.GetRelation()), cmd.GetName())); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return out, nil
}

func nameParts(n *pg_query.Node) []string {
	var parts []string
	for _, item := range n.GetList().GetItems() {
		parts = append(parts, item.GetString_().GetSval())
	}
	return parts
}

func rangeVarParts(rv *pg_query.RangeVar) []string {
	if rv.GetSchemaname() != "" {
		return []string{rv.GetSchemaname(), rv.GetRelname()}
	}
	return []string{rv.GetRelname()}
}

// relation is a table found in the catalog.
type relation struct {
	OID          uint32
	Schema, Name string
	displayName  string
}

// tablesNamed resolves a table name as PostgreSQL would (search_path) and
// counts its rows; with cascade, also those of every table whose foreign
// keys reach it, recursively (TRUNCATE … CASCADE empties them all).
func tablesNamed(ctx context.Context, q bun.IConn, parts []string, cascade bool, action string) ([]TableRows, error) {
	query := `SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p')`
	if cascade {
		query = `WITH RECURSIVE reach(oid) AS (
			SELECT to_regclass(?)::oid
			UNION SELECT con.conrelid FROM pg_constraint con JOIN reach ON con.confrelid = reach.oid WHERE con.contype = 'f')
		SELECT c.oid, n.nspname, c.relname FROM reach JOIN pg_class c ON c.oid = reach.oid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') ORDER BY c.oid`
	}
	return countRows(ctx, q, action, query, pgx.Identifier(parts).Sanitize())
}

func schemaTables(ctx context.Context, q bun.IConn, schema string) ([]TableRows, error) {
	return countRows(ctx, q, "dropped", `SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`, schema)
}

// countRows lists the tables query finds and returns those holding rows.
func countRows(ctx context.Context, q bun.IConn, action, query string, args ...any) ([]TableRows, error) {
	rels, err := findRelations(ctx, q, query, args...)
	if err != nil {
		return nil, err
	}
	var out []TableRows
	for _, r := range rels {
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM ?.?", bun.Ident(r.Schema), bun.Ident(r.Name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting the rows of %s: %w", r.displayName, err)
		}
		if n > 0 {
			out = append(out, TableRows{Table: r.displayName, Rows: n, Action: action})
		}
	}
	return out, nil
}

func columnValues(ctx context.Context, q bun.IConn, parts []string, column string) ([]TableRows, error) {
	rels, err := findRelations(ctx, q, `SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p')
		AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped)`,
		pgx.Identifier(parts).Sanitize(), column)
	if err != nil {
		return nil, err
	}
	var out []TableRows
	for _, r := range rels {
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(?) FROM ?.?", bun.Ident(column), bun.Ident(r.Schema), bun.Ident(r.Name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting the values of %s.%s: %w", r.displayName, column, err)
		}
		if n > 0 {
			out = append(out, TableRows{Table: r.displayName, Column: column, Rows: n, Action: "dropped"})
		}
	}
	return out, nil
}

func findRelations(ctx context.Context, q bun.IConn, query string, args ...any) ([]relation, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("looking up tables: %w", err)
	}
	defer rows.Close()
	var out []relation
	for rows.Next() {
		var r relation
		if err := rows.Scan(&r.OID, &r.Schema, &r.Name); err != nil {
			return nil, err
		}
		r.displayName = r.Name
		if r.Schema != "public" {
			r.displayName = r.Schema + "." + r.Name
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
