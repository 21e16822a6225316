package commands

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// snapshot describes what a command could have changed in the database at
// dsn and on its server: the server's databases, and each table of dsn's
// database with its row count. Two equal snapshots mean nothing was written.
// The databases other tests create and drop meanwhile on the shared test
// server (dbtest's t_*, makemigrations' scratch ones) are left out.
func snapshot(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	defer conn.Close(ctx)
	var b strings.Builder
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database
		WHERE NOT starts_with(datname, 't_') AND NOT starts_with(datname, 'solarview_plan_') ORDER BY datname`)
	if err != nil {
		t.Fatal(err)
	}
	dbs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "databases: %s\n", strings.Join(dbs, " "))
	rows, err = conn.Query(ctx, `SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range tables {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d\n", tbl, n)
	}
	return b.String()
}
