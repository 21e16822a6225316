package migrator_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/migrator"
)

func exec(t *testing.T, db bun.IConn, sql string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// threeMigrations: a table, a second table (its own group), a view.
var threeMigrations = map[string]string{
	"20200101000001_one.tx.up.sql":     "CREATE TABLE one (id int);\n",
	"20200101000001_one.tx.down.sql":   "DROP TABLE one;\n",
	"20200101000002_two.tx.up.sql":     "CREATE TABLE two (id int, note text);\n",
	"20200101000002_two.tx.down.sql":   "DROP TABLE two;\n",
	"20200101000003_three.tx.up.sql":   "CREATE VIEW three AS SELECT id FROM two;\n",
	"20200101000003_three.tx.down.sql": "DROP VIEW three;\n",
}

func TestRollbackRefusesToDropRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	src := testMigrations(t, threeMigrations)
	if _, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	exec(t, db, "INSERT INTO two VALUES (1), (2), (3)")

	_, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{}, io.Discard)
	var loss *migrator.DataLossError
	if !errors.As(err, &loss) || len(loss.Tables) != 1 || loss.Tables[0].Table != "two" || loss.Tables[0].Rows != 3 ||
		loss.Tables[0].Migration != "20200101000002_two" {
		t.Fatalf("rollback over a table with rows: %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "two (3 rows, dropped by 20200101000002_two)") || !strings.Contains(msg, "--force") || strings.Contains(msg, "\n") {
		t.Errorf("refusal message: %q", msg)
	}
	if got := appliedNames(t, db); len(got) != 3 || !tableExists(t, db, "three") {
		t.Fatalf("the refused rollback changed something: %v", got)
	}

	// An empty table is no loss; --force drops one with rows.
	undone, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{Force: true}, io.Discard)
	if err != nil || strings.Join(undone, ",") != "20200101000003_three,20200101000002_two,20200101000001_one" {
		t.Fatalf("rollback --force: %v, %v", undone, err)
	}
	if tableExists(t, db, "two") || len(appliedNames(t, db)) != 0 || len(checksums(t, db)) != 0 {
		t.Fatal("rollback --force left something behind")
	}
}

func TestRollbackTo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	first := map[string]string{}
	for k, v := range threeMigrations {
		if strings.HasPrefix(k, "20200101000001") {
			first[k] = v
		}
	}
	if _, err := migrator.Migrate(ctx, db, testMigrations(t, first), io.Discard); err != nil {
		t.Fatal(err)
	}
	src := testMigrations(t, threeMigrations)
	if _, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{"20200101000009", "two"} {
		if _, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{To: bad}, io.Discard); err == nil || !strings.Contains(err.Error(), "no such migration") {
			t.Errorf("--to %s: %v", bad, err)
		}
	}
	// The bare timestamp names a migration too; only what follows goes.
	undone, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{To: "20200101000002"}, io.Discard)
	if err != nil || strings.Join(undone, ",") != "20200101000003_three" {
		t.Fatalf("--to 20200101000002: %v, %v", undone, err)
	}
	if _, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{To: "20200101000003_three"}, io.Discard); err == nil || !strings.Contains(err.Error(), "not applied") {
		t.Errorf("--to a pending migration: %v", err)
	}
	if _, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	// --to crosses groups (two and three were applied after one, in group 2
	// and 3), newest first.
	undone, err = migrator.Rollback(ctx, db, src, migrator.RollbackOptions{To: "20200101000001_one"}, io.Discard)
	if err != nil || strings.Join(undone, ",") != "20200101000003_three,20200101000002_two" {
		t.Fatalf("--to 20200101000001_one: %v, %v", undone, err)
	}
	if got := appliedNames(t, db); strings.Join(got, ",") != "20200101000001" || !tableExists(t, db, "one") {
		t.Fatalf("after --to: %v", got)
	}
	if undone, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{To: "20200101000001_one"}, io.Discard); err != nil || len(undone) != 0 {
		t.Fatalf("--to the last applied one: %v, %v", undone, err)
	}
}

func TestFailedRollbackSaysWhatWasUndone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	files := map[string]string{}
	for k, v := range threeMigrations {
		files[k] = v
	}
	files["20200101000002_two.tx.down.sql"] = "DROP TABLE two;\nSELECT 1/0;\n"
	src := testMigrations(t, files)
	if _, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	undone, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{}, io.Discard)
	var rb *migrator.RollbackError
	if !errors.As(err, &rb) || rb.Failed != "20200101000002_two" || strings.Join(rb.Undone, ",") != "20200101000003_three" ||
		strings.Join(rb.NotUndone, ",") != "20200101000002_two,20200101000001_one" {
		t.Fatalf("failed rollback: %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "rolled back: 20200101000003_three; still applied: 20200101000002_two, 20200101000001_one") ||
		!strings.Contains(msg, "division by zero") {
		t.Errorf("message: %s", msg)
	}
	if strings.Join(undone, ",") != "20200101000003_three" {
		t.Errorf("undone = %v", undone)
	}
	// The failed down ran in one transaction with its record: both stay.
	if got := appliedNames(t, db); strings.Join(got, ",") != "20200101000001,20200101000002" || !tableExists(t, db, "two") || tableExists(t, db, "three") {
		t.Fatalf("after the failed rollback: %v", got)
	}
}

func TestRollbackWithoutDownFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	files := map[string]string{
		"20200101000001_one.tx.up.sql":   "CREATE TABLE one (id int);\n",
		"20200101000001_one.tx.down.sql": "DROP TABLE one;\n",
		"20200101000002_two.tx.up.sql":   "CREATE TABLE two (id int);\n",
	}
	src := testMigrations(t, files)
	if _, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{Force: true}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "20200101000002_two") || !strings.Contains(err.Error(), "no down file (testdata/20200101000002_two.tx.down.sql)") {
		t.Fatalf("rollback without a down file: %v", err)
	}
	if got := appliedNames(t, db); len(got) != 2 || !tableExists(t, db, "one") {
		t.Fatalf("something was undone: %v", got)
	}
}

func TestAtRiskReadsTheParsedSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	exec(t, db, `CREATE SCHEMA side;
		CREATE TABLE parent (id int PRIMARY KEY, label text);
		CREATE TABLE child (parent_id int REFERENCES parent);
		CREATE TABLE grandchild (x int);
		CREATE TABLE "Quoted" (x int);
		CREATE TABLE empty (x int);
		CREATE TABLE side.t (x int);
		INSERT INTO parent VALUES (1, 'a'), (2, NULL);
		INSERT INTO child VALUES (1), (1), (2);
		INSERT INTO "Quoted" VALUES (1);
		INSERT INTO side.t VALUES (1), (2), (3), (4);`)

	cases := []struct {
		sql  string
		want string
	}{
		{"DROP TABLE parent CASCADE;", "parent:2"},
		{"DROP TABLE IF EXISTS nosuch, empty, \"Quoted\";", "Quoted:1"},
		{"DROP VIEW IF EXISTS parent_view; DROP MATERIALIZED VIEW IF EXISTS m;", ""},
		{"TRUNCATE child;", "child:3"},
		{"TRUNCATE parent CASCADE;", "parent:2,child:3"},
		{"DROP SCHEMA side CASCADE;", "side.t:4"},
		{"DROP SCHEMA side;", ""},
		{"ALTER TABLE parent DROP COLUMN label, ADD COLUMN y int;", "parent.label:1"},
		{"ALTER TABLE public.parent DROP COLUMN IF EXISTS nosuch;", ""},
		{"SET search_path TO side, public; DROP TABLE side.t;", "side.t:4"},
	}
	for _, c := range cases {
		got, err := migrator.AtRisk(ctx, db, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		var parts []string
		for _, r := range got {
			name := r.Table
			if r.Column != "" {
				name += "." + r.Column
			}
			parts = append(parts, name+":"+strconv.FormatInt(r.Rows, 10))
		}
		if strings.Join(parts, ",") != c.want {
			t.Errorf("%s: at risk %v, want %s", c.sql, parts, c.want)
		}
	}
	if _, err := migrator.AtRisk(ctx, db, "DROP TABLE (;"); err == nil {
		t.Error("unparsable SQL gave no error")
	}
}

// TestNonTransactionalMigration: a file without .tx runs outside a
// transaction (CREATE INDEX CONCURRENTLY refuses to run in one) and is
// still recorded, and rolled back.
func TestNonTransactionalMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	src := testMigrations(t, map[string]string{
		"20200101000001_one.tx.up.sql":   "CREATE TABLE one (id int);\n",
		"20200101000001_one.tx.down.sql": "DROP TABLE one;\n",
		"20200101000002_idx.up.sql":      "CREATE INDEX CONCURRENTLY one_id_idx ON one (id);\n",
		"20200101000002_idx.down.sql":    "DROP INDEX CONCURRENTLY one_id_idx;\n",
	})
	if applied, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil || len(applied) != 2 {
		t.Fatalf("migrate: %v, %v", applied, err)
	}
	if !tableExists(t, db, "one_id_idx") || len(checksums(t, db)) != 2 {
		t.Fatal("the concurrent index or its record is missing")
	}
	undone, err := migrator.Rollback(ctx, db, src, migrator.RollbackOptions{To: "20200101000001"}, io.Discard)
	if err != nil || strings.Join(undone, ",") != "20200101000002_idx" || tableExists(t, db, "one_id_idx") {
		t.Fatalf("rollback: %v, %v", undone, err)
	}
	if got := appliedNames(t, db); strings.Join(got, ",") != "20200101000001" {
		t.Fatalf("recorded %v", got)
	}
}
