package viewmig

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/sqlsum"
	"github.com/solarview/solarview/migrations"
	"github.com/solarview/solarview/views"
)

// TestBranchConflictAndMerge is the two-branch scenario: branch A
// appends "1 AS a_col" to view a (which b reads), branch B appends
// "2 AS b_col", both from the same definition, and the branches are merged.
func TestBranchConflictAndMerge(t *testing.T) {
	t.Parallel()
	cols := []string{"r.site_id", "r.ts", "r.energy", "r.note"}
	withCols := func(extra ...string) []views.View {
		return []views.View{viewA(0, append(append([]string(nil), cols...), extra...)...), viewB}
	}
	mergeScenario(t, baseMigration, withCols, "a", []string{"a", "b"}, "merge_branches.golden", "site_id,ts,energy,note,a_col,b_col")
}

// TestBranchConflictOnMaterializedView: the branches change a materialized
// view (with an index, read by a plain view).
func TestBranchConflictOnMaterializedView(t *testing.T) {
	t.Parallel()
	withCols := func(extra ...string) []views.View {
		m := matM(1)
		build := m.Query
		m.Query = func(db *bun.DB) *bun.SelectQuery {
			q := build(db)
			for _, e := range extra {
				q = q.ColumnExpr(e)
			}
			return q
		}
		return []views.View{m, viewD}
	}
	mergeScenario(t, baseMigration, withCols, "m", []string{"m", "d"}, "merge_materialized_branches.golden", "site_id,energy,a_col,b_col")
}

// TestBranchConflictOnProjectViews is the same on the project's own
// migrations and views, with sensor_latest as the view both branches
// change.
func TestBranchConflictOnProjectViews(t *testing.T) {
	t.Parallel()
	base := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			b, err := fs.ReadFile(migrations.FS, e.Name())
			if err != nil {
				t.Fatal(err)
			}
			base[e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	orig, _ := views.Lookup("sensor_latest")
	withCols := func(extra ...string) []views.View {
		var out []views.View
		for _, v := range views.All() {
			if v.Name == "sensor_latest" {
				v.Query = func(db *bun.DB) *bun.SelectQuery {
					q := orig.Query(db)
					for _, e := range extra {
						q = q.ColumnExpr(e)
					}
					return q
				}
			}
			out = append(out, v)
		}
		return out
	}
	mergeScenario(t, base, withCols, "sensor_latest", []string{"sensor_latest", "site_overview"}, "merge_project_branches.golden",
		"sensor_id,site_id,code,location,temperature,taken_at,reported_last_day,a_col,b_col")
}

// mergeScenario runs the two-branch scenario on migrations start and the
// views code(extra columns...), where branches append columns to view.
func mergeScenario(t *testing.T, start fstest.MapFS, withCols func(extra ...string) []views.View, view string, granted []string, golden, wantColumns string) {
	ctx := context.Background()
	scratch := func(context.Context) (*bun.DB, func(), error) { return dbtest.NewDB(t), func() {}, nil }
	at := func(min int) func() time.Time {
		return func() time.Time { return time.Date(2026, 12, 1, 0, min, 0, 0, time.UTC) }
	}
	make1 := func(fsys fstest.MapFS, vs []views.View, now func() time.Time) *Migration {
		t.Helper()
		m, err := MakeMigration(ctx, MakeOptions{Views: vs, FS: fsys, Now: now, Scratch: scratch})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	add := func(fsys fstest.MapFS, ms ...*Migration) fstest.MapFS {
		out := cloneFS(fsys)
		for _, m := range ms {
			out[m.UpName] = &fstest.MapFile{Data: []byte(m.Up)}
			out[m.DownName] = &fstest.MapFile{Data: []byte(m.Down)}
		}
		return out
	}

	base := start
	if _, err := MakeMigration(ctx, MakeOptions{Views: withCols(), FS: start, Scratch: scratch}); !errors.Is(err, ErrNoChanges) {
		base = add(start, make1(start, withCols(), at(0)))
	}
	branchA := make1(base, withCols("1 AS a_col"), at(1))
	branchB := make1(base, withCols("2 AS b_col"), at(2))
	merged := add(base, branchA, branchB)
	code := withCols("1 AS a_col", "2 AS b_col")

	// check reports the conflict, naming both files; makemigrations refuses.
	h, err := ReadHistory(merged, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"migrations/" + branchA.UpName, "migrations/" + branchB.UpName}
	if len(h.Conflicts) != 1 || h.Conflicts[0].View != view || fmt.Sprint(h.Conflicts[0].Files) != fmt.Sprint(want) {
		t.Fatalf("conflicts = %+v, want view a in %v", h.Conflicts, want)
	}
	if msg := h.Conflicts[0].Message(); !strings.Contains(msg, "makemigrations --merge") {
		t.Errorf("message gives no way out: %s", msg)
	}
	var ce *ConflictError
	if _, err := MakeMigration(ctx, MakeOptions{Views: code, FS: merged, Scratch: scratch}); !errors.As(err, &ce) {
		t.Fatalf("makemigrations on a conflict: %v", err)
	}

	// --merge.
	mg, err := MakeMerge(MergeOptions{Views: code, FS: merged, Now: at(3)})
	if err != nil {
		t.Fatal(err)
	}
	resolved := cloneFS(merged)
	var out strings.Builder
	for _, m := range append(mg.Rewritten, mg.Migration) {
		fmt.Fprintf(&out, "==> %s <==\n%s\n==> %s <==\n%s\n", m.UpName, m.Up, m.DownName, m.Down)
		resolved[m.UpName] = &fstest.MapFile{Data: []byte(m.Up)}
		resolved[m.DownName] = &fstest.MapFile{Data: []byte(m.Down)}
	}
	assertGolden(t, "testdata/"+golden, out.String())
	for _, m := range mg.Rewritten {
		orig := merged[m.UpName].Data
		sum, _ := sqlsum.Of(string(orig))
		if accepted := sqlsum.Accepted(m.Up); len(accepted) != 1 || accepted[0] != sum {
			t.Errorf("%s accepts checksums %v, want the original's %s", m.UpName, accepted, sum)
		}
	}

	// Afterwards check passes and there is nothing left to make.
	drift, err := Check(code, resolved, "migrations")
	if err != nil || len(drift) != 0 {
		t.Fatalf("check after --merge: %+v, %v", drift, err)
	}
	if h, _ := ReadHistory(resolved, "migrations"); len(h.Conflicts) != 0 {
		t.Fatalf("conflicts remain: %+v", h.Conflicts)
	}
	if _, err := MakeMigration(ctx, MakeOptions{Views: code, FS: resolved, Scratch: scratch}); !errors.Is(err, ErrNoChanges) {
		t.Fatalf("makemigrations after --merge: %v", err)
	}

	columnsOfA := func(db *bun.DB) string {
		var s string
		if err := db.DB.QueryRowContext(ctx, `SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
			WHERE attrelid = to_regclass($1) AND attnum > 0`, view).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	// A fresh database, and databases where one branch ran first, reach the
	// same end state, and rolling back the last group returns to the state
	// before it.
	var end string
	for _, start := range []struct {
		name string
		fsys fstest.MapFS
	}{
		{"fresh", base},
		{"branch A applied", add(base, branchA)},
		{"branch B applied", add(base, branchB)},
	} {
		db := dbtest.NewDB(t)
		migrateUp(t, db, start.fsys)
		createRole(t, db, "reader")
		if _, err := db.DB.ExecContext(ctx, "GRANT SELECT ON "+strings.Join(granted, ", ")+" TO reader; COMMENT ON VIEW "+granted[len(granted)-1]+" IS 'kept'"); err != nil {
			t.Fatal(err)
		}
		before := schemaSnapshot(t, db)
		meta := metaOf(t, db.DB, granted...)
		migrateUp(t, db, resolved)
		if got := columnsOfA(db); got != wantColumns {
			t.Errorf("%s: %s has columns %s", start.name, view, got)
		}
		if got := metaOf(t, db.DB, granted...); !equalMaps(got, meta) {
			t.Errorf("%s: grants or comment lost: %v, want %v", start.name, got, meta)
		}
		got := schemaSnapshot(t, db)
		if end == "" {
			end = got
		} else if got != end {
			t.Errorf("%s: end state differs from a fresh database's:\n%s", start.name, unified("fresh", start.name, end, got))
		}
		rollback(t, db, resolved)
		if got := schemaSnapshot(t, db); got != before {
			t.Errorf("%s: rollback does not return to the state before:\n%s", start.name, unified("before", "after rollback", before, got))
		}
		if got := metaOf(t, db.DB, granted...); !equalMaps(got, meta) {
			t.Errorf("%s: grants or comment lost by the rollback: %v, want %v", start.name, got, meta)
		}
	}
}
