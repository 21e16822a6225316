package dbtest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The parallel subtests record which database each got, so the parent can
// check they differ once both have finished.
func TestParallelTestsGetTheirOwnDatabase(t *testing.T) {
	var mu sync.Mutex
	names := map[string]string{}
	t.Run("group", func(t *testing.T) {
		for _, sub := range []string{"a", "b"} {
			t.Run(sub, func(t *testing.T) {
				t.Parallel()
				db := dbtest.NewDB(t)
				ctx := context.Background()
				var name, encoding string
				if err := db.QueryRowContext(ctx, "SELECT current_database(), current_setting('server_encoding')").Scan(&name, &encoding); err != nil {
					t.Fatal(err)
				}
				if encoding != "UTF8" {
					t.Errorf("server_encoding = %s, want UTF8", encoding)
				}
				// A table made here must not be visible to the sibling test.
				if _, err := db.ExecContext(ctx, "CREATE TABLE only_in_"+sub+" (x int)"); err != nil {
					t.Fatal(err)
				}
				var tables int
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
					t.Fatal(err)
				}
				if tables != 1 {
					t.Errorf("%d tables in a fresh database after creating one, want 1", tables)
				}
				mu.Lock()
				names[sub] = name
				mu.Unlock()
			})
		}
	})
	if len(names) != 2 || names["a"] == names["b"] {
		t.Fatalf("databases = %v, want two different ones", names)
	}
}

func TestMigratedDatabaseHasTheSchema(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	var sites *string
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('public.sites')::text").Scan(&sites); err != nil {
		t.Fatal(err)
	}
	if sites == nil {
		t.Fatal("no sites table in a migrated database")
	}
	var applied int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM bun_migrations").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied == 0 {
		t.Error("bun_migrations is empty in a migrated database")
	}
	// Each migrated database is a separate copy of the template.
	if _, err := db.ExecContext(ctx, "INSERT INTO sites (name) VALUES ('only here')"); err != nil {
		t.Fatal(err)
	}
	other := dbtest.NewMigratedDB(t)
	var n int
	if err := other.QueryRowContext(ctx, "SELECT count(*) FROM sites").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a second migrated database sees %d sites, want 0", n)
	}
}

func TestDatabaseIsDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var dsn string
	t.Run("inner", func(t *testing.T) {
		dsn = dbtest.NewDatabase(t, false)
		// Leave a session open: the drop must not wait for it.
		db, err := database.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := database.Open(ctx, dsn)
	if err == nil {
		db.Close()
		t.Fatal("the database still exists after its test ended")
	}
}

func TestThrowAwayServerIsFastAndPrivate(t *testing.T) {
	t.Parallel()
	if os.Getenv(dbtest.EnvURL) != "" {
		t.Skip("using TEST_DATABASE_URL's server")
	}
	db := dbtest.NewDB(t)
	for setting, want := range map[string]string{
		"fsync":            "off",
		"full_page_writes": "off",
		"jit":              "off",
		"listen_addresses": "",
	} {
		var got string
		if err := db.QueryRowContext(context.Background(), "SELECT current_setting(?)", setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
}

// TestWithTestDatabaseURL runs this package's other tests again in a child
// process with TEST_DATABASE_URL pointing at a database of this binary's
// server, as CI would point it at a service container, and checks that the
// child left no database behind.
func TestWithTestDatabaseURL(t *testing.T) {
	if os.Getenv(dbtest.EnvURL) != "" {
		t.Skip("this is the child run")
	}
	// The child names its databases with runID, so what it left behind can
	// be told from the databases of test binaries sharing the server.
	runID := fmt.Sprintf("child%d", os.Getpid())
	dsn := dbtest.NewDatabase(t, false)
	ctx := context.Background()
	admin, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	childDatabases := func() []string {
		var names []string
		if err := admin.NewSelect().Table("pg_database").Column("datname").
			Where("strpos(datname, ?) > 0", runID).Order("datname").Scan(ctx, &names); err != nil {
			t.Fatal(err)
		}
		return names
	}
	xid := func() int64 {
		var x int64
		if err := admin.QueryRowContext(ctx, "SELECT txid_current()").Scan(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	xidBefore := xid()

	cmd := exec.Command(os.Args[0], "-test.count=1",
		"-test.run=^(TestParallelTestsGetTheirOwnDatabase|TestMigratedDatabaseHasTheSchema|TestDatabaseIsDroppedAtCleanup)$")
	cmd.Env = append(os.Environ(), dbtest.EnvURL+"="+dsn, "SOLARVIEW_DBTEST_RUN_ID="+runID)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tests with %s: %v\n%s", dbtest.EnvURL, err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("the child run passed nothing:\n%s", out)
	}
	if left := childDatabases(); len(left) > 0 {
		t.Errorf("the child run left databases behind: %v", left)
	}
	// Each CREATE and DROP DATABASE the child ran here took a transaction id;
	// had it started a server of its own, only our second call would have.
	if used := xid() - xidBefore; used < 5 {
		t.Errorf("the child run used %d transactions on the %s server; it seems to have started its own", used, dbtest.EnvURL)
	}
}

// BenchmarkNewMigratedDB measures the per-test cost of a migrated database
// relative to an empty one created in the same run.
func BenchmarkNewMigratedDB(b *testing.B) {
	dbtest.NewDatabase(b, true) // start the server and build the template untimed
	b.Run("empty", func(b *testing.B) {
		for b.Loop() {
			dbtest.NewDatabase(b, false)
		}
	})
	b.Run("migrated", func(b *testing.B) {
		for b.Loop() {
			dbtest.NewDatabase(b, true)
		}
	})
}
