package commands

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/views"
)

// columnsView is view "a" over table t with extra output columns.
func columnsView(extra ...string) views.View {
	return views.View{Name: "a", Query: func(db *bun.DB) *bun.SelectQuery {
		q := db.NewSelect().TableExpr("t").ColumnExpr("t.x")
		for _, e := range extra {
			q = q.ColumnExpr(e)
		}
		return q
	}}
}

// TestBranchConflictCommands: two branches append different columns to the
// same view; check names both migrations and the way out, makemigrations
// refuses, makemigrations --merge resolves, and migrate works. Not
// parallel: it swaps the views.
func TestBranchConflictCommands(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "20260101000000_tables.tx.up.sql"), []byte("CREATE TABLE t (x int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "20260101000000_tables.tx.down.sql"), []byte("DROP TABLE t;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withViews(t, columnsView(), summedView)
	mustRun(t, dsn, "makemigrations", "--dir", dir, "--name", "base")

	// Branch A, set aside while branch B makes its migration from the same
	// state.
	withViews(t, columnsView("1 AS a_col"), summedView)
	mustRun(t, dsn, "makemigrations", "--dir", dir, "--name", "branch_a")
	aside := t.TempDir()
	matches, _ := filepath.Glob(filepath.Join(dir, "*_branch_a.*"))
	for _, f := range matches {
		if err := os.Rename(f, filepath.Join(aside, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	// Branch B's version must be later than branch A's, which may itself
	// be a second ahead of the clock (makemigrations bumps a version that
	// would not sort last).
	aVersion, err := time.Parse("20060102150405", filepath.Base(matches[0])[:14])
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(aVersion.Add(time.Second)))
	withViews(t, columnsView("2 AS b_col"), summedView)
	mustRun(t, dsn, "makemigrations", "--dir", dir, "--name", "branch_b")
	// Branch B's database has its migration applied.
	mustRun(t, dsn, "migrate", "--dir", dir)
	for _, f := range matches {
		if err := os.Rename(filepath.Join(aside, filepath.Base(f)), f); err != nil {
			t.Fatal(err)
		}
	}

	withViews(t, columnsView("1 AS a_col", "2 AS b_col"), summedView)
	r := run(t, dsn, "check", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "_branch_a.tx.up.sql and ") || !strings.Contains(r.stdout, "_branch_b.tx.up.sql both change it") ||
		!strings.Contains(r.stdout, "solarview makemigrations --merge") {
		t.Fatalf("check with a conflict: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dsn, "check", "--dir", dir, "--format", "json")
	var rep struct {
		Conflicts []struct {
			View  string   `json:"view"`
			Files []string `json:"files"`
		} `json:"conflicts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 || len(rep.Conflicts) != 1 || len(rep.Conflicts[0].Files) != 2 {
		t.Fatalf("check --format json: exit %d %v\n%s", r.code, err, r.stdout)
	}
	for _, args := range [][]string{{"makemigrations", "--dir", dir}, {"makemigrations", "--dir", dir, "--check"}} {
		if r := run(t, dsn, args...); r.code != 1 || !strings.Contains(r.stderr, "--merge") {
			t.Fatalf("%v with a conflict: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	out := mustRun(t, dsn, "makemigrations", "--dir", dir, "--merge")
	if strings.Count(out, "Rewrote ") != 2 || !strings.Contains(out, "_merge.tx.up.sql") {
		t.Fatalf("makemigrations --merge:\n%s", out)
	}
	mustRun(t, dsn, "check", "--dir", dir)
	if out := mustRun(t, dsn, "makemigrations", "--dir", dir, "--merge"); !strings.Contains(out, "No conflicts") {
		t.Errorf("second --merge: %s", out)
	}
	// Branch B's database takes branch A's rewritten migration (older than
	// B's, which was itself rewritten after it was applied) and the merge;
	// a fresh database takes all of them in order.
	fresh := dbtest.NewDatabase(t, false)
	for _, db := range []string{dsn, fresh} {
		mustRun(t, db, "migrate", "--dir", dir)
		if r := run(t, db, "check", "--dir", dir, "--database"); r.code != 0 {
			t.Fatalf("check --database after merging: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		conn, err := database.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "SELECT a_col, b_col FROM a LIMIT 0"); err != nil {
			t.Errorf("view a after merging: %v", err)
		}
		conn.Close()
	}
	// And back down, every migration, on both.
	for _, db := range []string{dsn, fresh} {
		mustRun(t, db, "rollback", "--dir", dir, "--to", "20260101000000")
	}
}

// TestCheckReportsClickableErrors: a refused registration is an error with
// its file and line in every format; JSON keys are snake_case and empty
// lists are [].
func TestCheckReportsClickableErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "20260101000000_tables.tx.up.sql"), []byte("CREATE TABLE t (x int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withViews(t)
	r := run(t, "", "check", "--dir", dir, "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"drift": []`) || !strings.Contains(r.stdout, `"conflicts": []`) {
		t.Fatalf("empty check as JSON: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	testRegisterErrors.Store(t, []*views.RegisterError{{File: "views/summary.go", Line: 31, Msg: `view "summary" registered twice (first at views/summary.go:30)`}})
	t.Cleanup(func() { testRegisterErrors.Delete(t) })
	r = run(t, "", "check", "--dir", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "views/summary.go:31: view \"summary\" registered twice") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("text: exit %d\n%s", r.code, r.stderr)
	}
	r = run(t, "", "check", "--dir", dir, "--format", "json")
	if r.code != 2 || !strings.Contains(r.stdout, `"file": "views/summary.go"`) || !strings.Contains(r.stdout, `"line": 31`) {
		t.Errorf("json: exit %d\n%s", r.code, r.stdout)
	}
	r = run(t, "", "check", "--dir", dir, "--format", "github")
	if r.code != 2 || !strings.HasPrefix(r.stdout, "::error file=views/summary.go,line=31,") {
		t.Errorf("github: exit %d\n%s", r.code, r.stdout)
	}
	if r := run(t, "", "makemigrations", "--dir", dir); r.code != 2 || !strings.Contains(r.stderr, "views/summary.go:31") {
		t.Errorf("makemigrations: exit %d\n%s", r.code, r.stderr)
	}
}

// TestPathsAreRepositoryRelative: positions name files from the repository
// root whatever the working directory (the test runs in
// internal/commands).
func TestPathsAreRepositoryRelative(t *testing.T) {
	t.Parallel()
	wd, _ := os.Getwd()
	root := filepath.Dir(filepath.Dir(wd))
	for in, want := range map[string]string{
		filepath.Join(root, "views", "summary.go"): "views/summary.go",
		"../../migrations":                         "migrations",
		"views_test.go":                            "internal/commands/views_test.go",
	} {
		if got := relPath(in); got != want {
			t.Errorf("relPath(%q) = %q, want %q", in, got, want)
		}
	}
	if file, _, ok := views.Source("summary"); !ok || file != "views/summary.go" {
		t.Errorf("views.Source(summary) = %q", file)
	}
}
