package viewmig

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
	"google.golang.org/protobuf/proto"
)

// DatabaseReport compares a live database with the migrations.
type DatabaseReport struct {
	// Pending are the migrations not applied to the database, oldest first.
	Pending []string `json:"pending"`
	// ComparedWhilePending is true when views were compared although
	// migrations are pending: the drift then includes what those
	// migrations would change.
	ComparedWhilePending bool `json:"compared_while_pending"`
	// Drift lists what a migration defines (a view's definition, options,
	// comment, granted privileges, a materialized view's indexes) that the
	// database does not have as the migrations leave it.
	Drift []LiveDrift `json:"drift"`
}

// The problems a LiveDrift reports.
const (
	LiveChanged      = "changed"       // definition
	LiveMissing      = "missing"       // the migrations create it, the database lacks it
	LiveUnexpected   = "unexpected"    // in the database only
	LiveOptions      = "options"       // WITH (...) options
	LiveComment      = "comment"       // a comment the migrations set
	LivePrivileges   = "privileges"    // privileges the migrations grant or revoke
	LiveIndexMissing = "index_missing" // an index the migrations create
	LiveIndexExtra   = "index_extra"   // an index no migration creates
	LiveIndexChanged = "index_changed" // an index defined otherwise
)

// LiveDrift is one difference between a live view and the migrations.
type LiveDrift struct {
	View    string `json:"view"`
	Problem string `json:"problem"`
	// Index names the index, for the index_* problems.
	Index string `json:"index,omitempty"`
	// Want and Got are the migrations' and the database's values, for
	// options, comment, privileges and index problems.
	Want string `json:"want,omitempty"`
	Got  string `json:"got,omitempty"`
	// Diff is a unified diff from pg_get_viewdef of the migrations'
	// definition to that of the live view ("changed" only).
	Diff string `json:"diff,omitempty"`
	// Migration is where the migrations last created the view.
	Migration *Source `json:"migration,omitempty"`
}

// Message is a one-line description.
func (d LiveDrift) Message() string {
	switch d.Problem {
	case LiveMissing:
		return fmt.Sprintf("view %s is missing, though the migrations create it", d.View)
	case LiveUnexpected:
		return fmt.Sprintf("view %s exists but no migration creates it", d.View)
	case LiveOptions:
		return fmt.Sprintf("view %s has options (%s), the migrations give it (%s)", d.View, orNone(d.Got), orNone(d.Want))
	case LiveComment:
		return fmt.Sprintf("view %s has comment %q, the migrations give it %q", d.View, d.Got, d.Want)
	case LivePrivileges:
		return fmt.Sprintf("view %s: %s, the migrations grant %s", d.View, d.Got, d.Want)
	case LiveIndexMissing:
		return fmt.Sprintf("materialized view %s lacks index %s, which the migrations create: %s", d.View, d.Index, d.Want)
	case LiveIndexExtra:
		return fmt.Sprintf("materialized view %s has index %s, which no migration creates: %s", d.View, d.Index, d.Got)
	case LiveIndexChanged:
		return fmt.Sprintf("index %s on materialized view %s is %s, the migrations create %s", d.Index, d.View, d.Got, d.Want)
	default:
		return fmt.Sprintf("view %s differs from what the migrations created", d.View)
	}
}

// Clean reports whether the database matches the migrations.
func (r *DatabaseReport) Clean() bool { return len(r.Pending) == 0 && len(r.Drift) == 0 }

// CompareDatabase compares the database db with the migrations in fsys
// (replayed as h): it lists pending migrations and compares every view of
// the managed schema with the migrations' end state, even while migrations
// are pending (ComparedWhilePending says so).
//
// Definitions go through PostgreSQL's own pg_get_viewdef on both sides:
// each migration definition is created as a temporary view, and each
// migration index on a temporary copy of its materialized view's columns,
// inside a transaction that is rolled back, so nothing in the database
// changes and the comparison is immune to how either side was spelled.
func CompareDatabase(ctx context.Context, db *bun.DB, fsys fs.FS, h *History) (*DatabaseReport, error) {
	rep := &DatabaseReport{Pending: []string{}, Drift: []LiveDrift{}}
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
	rep.ComparedWhilePending = len(rep.Pending) > 0

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
		want := h.Views[name]
		got, ok := live[name]
		if !ok {
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LiveMissing})
			continue
		}
		tmp := fmt.Sprintf("solarview_check_%d", i)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT probe"); err != nil {
			return nil, err
		}
		var wantDef string
		_, err := tx.ExecContext(ctx, "CREATE TEMPORARY VIEW "+quoteIdent(tmp)+" AS "+want.Query)
		if err == nil {
			err = tx.QueryRowContext(ctx, "SELECT pg_get_viewdef(to_regclass('pg_temp.'||$1))", tmp).Scan(&wantDef)
		}
		if err != nil {
			// The migrations' definition no longer plans against this
			// database: it cannot be what the live view is.
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT probe"); rerr != nil {
				return nil, rerr
			}
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LiveChanged, Diff: "the migrations' definition fails on this database: " + err.Error()})
		} else if wantDef != got.def {
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LiveChanged, Diff: unified("migrations/"+name, "database/"+name, wantDef, got.def)})
		}
		if !want.Materialized {
			if w, g := strings.Join(want.Options, ", "), strings.Join(OptionsFromReloptions(got.options), ", "); w != g {
				rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LiveOptions, Want: w, Got: g})
			}
		}
		if want.Comment != "" && want.Comment != got.comment {
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LiveComment, Want: want.Comment, Got: got.comment})
		}
		// The owner holds every privilege unless a migration revoked some:
		// a REVOKE from the owner by hand is drift too.
		if _, mentioned := want.Grants[got.owner]; !mentioned && got.owner != "" {
			if g := strings.Join(got.grants[got.owner], ", "); g != got.ownerDefault {
				rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LivePrivileges,
					Want: got.ownerDefault + " to " + got.owner + " (the owner)", Got: got.owner + " has " + orNone(g)})
			}
		}
		for _, who := range sortedKeysOf(want.Grants) {
			w, g := strings.Join(want.Grants[who], ", "), strings.Join(got.grants[who], ", ")
			if w != g {
				if w == "" {
					w = "nothing"
				}
				have := who + " has " + g
				if g == "" {
					have = who + " has no privileges"
				}
				rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LivePrivileges, Want: w + " to " + who, Got: have})
			}
		}
		if want.Materialized {
			ixDrift, err := compareIndexes(ctx, tx, want, got.indexes)
			if err != nil {
				return nil, err
			}
			rep.Drift = append(rep.Drift, ixDrift...)
		}
	}
	for name := range live {
		if h.Views[name] == nil {
			rep.Drift = append(rep.Drift, LiveDrift{View: name, Problem: LiveUnexpected})
		}
	}
	for i := range rep.Drift {
		if d := h.Views[rep.Drift[i].View]; d != nil {
			rep.Drift[i].Migration = sourcePtr(d.Source)
		}
	}
	sort.SliceStable(rep.Drift, func(i, j int) bool { return rep.Drift[i].View < rep.Drift[j].View })
	return rep, nil
}

// liveView is what the catalog says of one view.
type liveView struct {
	def   string
	owner string
	// ownerDefault is what the owner holds by default, sorted, ", "-joined.
	ownerDefault string
	options      []string
	comment      string
	grants       map[string][]string // grantee → privileges, lower case, sorted
	indexes      map[string]string   // index name → pg_get_indexdef
}

// liveViews reads the views and materialized views of the managed schema.
func liveViews(ctx context.Context, q querier) (map[string]*liveView, error) {
	rows, err := q.QueryContext(ctx, `
SELECT c.relname, pg_get_viewdef(c.oid), pg_get_userbyid(c.relowner),
       (SELECT string_agg(lower(d.privilege_type), ', ' ORDER BY lower(d.privilege_type))
          FROM aclexplode(acldefault('r', c.relowner)) d),
       coalesce(array_to_string(c.reloptions, E'\n'), ''),
       coalesce(obj_description(c.oid, 'pg_class'), ''),
       coalesce((SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END
                                   || E'\t' || lower(a.privilege_type), E'\n')
                   FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a), ''),
       coalesce((SELECT string_agg(ci.relname || E'\t' || pg_get_indexdef(i.indexrelid), E'\n')
                   FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
                  WHERE i.indrelid = c.oid), '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')`, managedSchema)
	if err != nil {
		return nil, fmt.Errorf("reading live views: %w", err)
	}
	defer rows.Close()
	out := map[string]*liveView{}
	for rows.Next() {
		var name, options, grants, indexes string
		v := &liveView{grants: map[string][]string{}, indexes: map[string]string{}}
		if err := rows.Scan(&name, &v.def, &v.owner, &v.ownerDefault, &options, &v.comment, &grants, &indexes); err != nil {
			return nil, err
		}
		if options != "" {
			v.options = strings.Split(options, "\n")
		}
		for _, l := range lines(grants) {
			who, priv, _ := strings.Cut(l, "\t")
			v.grants[who] = append(v.grants[who], priv)
		}
		for who := range v.grants {
			sort.Strings(v.grants[who])
		}
		for _, l := range lines(indexes) {
			ix, def, _ := strings.Cut(l, "\t")
			v.indexes[ix] = def
		}
		out[name] = v
	}
	return out, rows.Err()
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// compareIndexes compares a materialized view's live indexes with those
// the migrations create. Each migration index is built, under a savepoint
// rolled back afterwards, on an empty temporary table with the view's
// columns, so that both sides are printed by pg_get_indexdef; the index and
// table names are then set aside before comparing.
func compareIndexes(ctx context.Context, tx *sql.Tx, want *Definition, live map[string]string) ([]LiveDrift, error) {
	var out []LiveDrift
	wanted := map[string]bool{}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT index_probe"); err != nil {
		return nil, err
	}
	defer tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT index_probe") //nolint:errcheck // probing only
	const probe = "solarview_index_probe"
	_, tableErr := tx.ExecContext(ctx, "CREATE TEMPORARY TABLE "+probe+" AS SELECT * FROM "+quoteIdent(managedSchema)+"."+quoteIdent(want.Name)+" WITH NO DATA")
	if tableErr != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT index_probe"); err != nil {
			return nil, err
		}
	}
	for i, ix := range want.Indexes {
		wanted[ix.Name] = true
		got, ok := live[ix.Name]
		wantSQL, _ := Pretty(ix.SQL)
		wantSQL = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(wantSQL), ";"))
		if !ok {
			out = append(out, LiveDrift{View: want.Name, Problem: LiveIndexMissing, Index: ix.Name, Want: oneLine(wantSQL)})
			continue
		}
		if tableErr != nil {
			return nil, fmt.Errorf("probing the indexes of %s: %w", want.Name, tableErr)
		}
		stmt := proto.Clone(ix.stmt).(*pg.Node)
		is := stmt.GetIndexStmt()
		is.Idxname = fmt.Sprintf("%s_%d", probe, i)
		is.Relation = &pg.RangeVar{Relname: probe, Inh: true, Relpersistence: "p"}
		sqlText, err := deparseNode(stmt)
		if err != nil {
			return nil, err
		}
		var wantDef string
		if _, err := tx.ExecContext(ctx, "SAVEPOINT one_index"); err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, sqlText)
		if err == nil {
			err = tx.QueryRowContext(ctx, "SELECT pg_get_indexdef(to_regclass('pg_temp.'||$1))", is.Idxname).Scan(&wantDef)
		}
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT one_index"); rerr != nil {
				return nil, rerr
			}
			out = append(out, LiveDrift{View: want.Name, Problem: LiveIndexChanged, Index: ix.Name, Want: oneLine(wantSQL) + " (fails here: " + err.Error() + ")", Got: got})
			continue
		}
		if indexShape(wantDef) != indexShape(got) {
			out = append(out, LiveDrift{View: want.Name, Problem: LiveIndexChanged, Index: ix.Name, Want: oneLine(wantSQL), Got: got})
		}
	}
	for _, name := range sortedKeysOf(live) {
		if !wanted[name] {
			out = append(out, LiveDrift{View: want.Name, Problem: LiveIndexExtra, Index: name, Got: live[name]})
		}
	}
	return out, nil
}

// indexShape is a pg_get_indexdef text with the index and table names left
// out, so that a probe index compares with the live one.
func indexShape(def string) string {
	tree, err := pg.Parse(def)
	if err != nil || len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetIndexStmt() == nil {
		return def
	}
	is := tree.Stmts[0].Stmt.GetIndexStmt()
	is.Idxname = "i"
	is.Relation = &pg.RangeVar{Relname: "t", Inh: true, Relpersistence: "p"}
	out, err := deparseNode(tree.Stmts[0].Stmt)
	if err != nil {
		return def
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
