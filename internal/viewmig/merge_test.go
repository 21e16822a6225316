package viewmig

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/sqlsum"
	"github.com/solarview/solarview/views"
)

// TestBranchConflictAndMerge is the two-branch scenario: branch A
// appends "1 AS a_col" to view a (which b reads), branch B appends
// "2 AS b_col", both from the same definition, and the branches are merged.
func TestBranchConflictAndMerge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	scratch := func(context.Context) (*bun.DB, func(), error) { return dbtest.NewDB(t), func() {}, nil }
	at := func(min int) func() time.Time {
		return func() time.Time { return time.Date(2026, 3, 1, 0, min, 0, 0, time.UTC) }
	}
	cols := []string{"r.site_id", "r.ts", "r.energy", "r.note"}
	withCols := func(extra ...string) []views.View {
		return []views.View{viewA(0, append(append([]string(nil), cols...), extra...)...), viewB}
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

	base := add(baseMigration, make1(baseMigration, withCols(), at(0)))
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
	if len(h.Conflicts) != 1 || h.Conflicts[0].View != "a" || fmt.Sprint(h.Conflicts[0].Files) != fmt.Sprint(want) {
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
	var golden strings.Builder
	for _, m := range append(mg.Rewritten, mg.Migration) {
		fmt.Fprintf(&golden, "==> %s <==\n%s\n==> %s <==\n%s\n", m.UpName, m.Up, m.DownName, m.Down)
		resolved[m.UpName] = &fstest.MapFile{Data: []byte(m.Up)}
		resolved[m.DownName] = &fstest.MapFile{Data: []byte(m.Down)}
	}
	assertGolden(t, "testdata/merge_branches.golden", golden.String())
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
			WHERE attrelid = 'a'::regclass AND attnum > 0`).Scan(&s); err != nil {
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
		if _, err := db.DB.ExecContext(ctx, "GRANT SELECT ON a, b TO reader; COMMENT ON VIEW b IS 'totals'"); err != nil {
			t.Fatal(err)
		}
		before := schemaSnapshot(t, db)
		meta := metaOf(t, db.DB, "a", "b")
		migrateUp(t, db, resolved)
		if got := columnsOfA(db); got != "site_id,ts,energy,note,a_col,b_col" {
			t.Errorf("%s: a has columns %s", start.name, got)
		}
		if got := metaOf(t, db.DB, "a", "b"); !equalMaps(got, meta) {
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
		if got := metaOf(t, db.DB, "a", "b"); !equalMaps(got, meta) {
			t.Errorf("%s: grants or comment lost by the rollback: %v, want %v", start.name, got, meta)
		}
	}
}
