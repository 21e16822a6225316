package database_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// jit is the session's jit setting and where it came from (pg_settings'
// source: "client" for a setting the connection sent at startup).
func jit(t *testing.T, db *bun.DB) (setting, source string) {
	t.Helper()
	err := db.QueryRowContext(context.Background(), "SELECT setting, source FROM pg_settings WHERE name = 'jit'").Scan(&setting, &source)
	if err != nil {
		t.Fatal(err)
	}
	return setting, source
}

// The session itself turns JIT off, whatever the server's configuration:
// the test server has it off already, so the setting must come from the
// connection (source "client") for the test to prove anything.
func TestSessionsRunWithoutJIT(t *testing.T) {
	t.Parallel()
	db, err := database.Open(context.Background(), dbtest.NewDatabase(t, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if setting, source := jit(t, db); setting != "off" || source != "client" {
		t.Errorf("jit = %s (from %s), want off from the connection (client)", setting, source)
	}
}

func TestURLKeepsItsOwnJITSetting(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	if strings.HasPrefix(dsn, "postgres") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("jit", "on")
		u.RawQuery = q.Encode()
		dsn = u.String()
	} else {
		dsn += " jit=on"
	}
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if setting, source := jit(t, db); setting != "on" || source != "client" {
		t.Errorf("jit = %s (from %s), want on from the URL (client)", setting, source)
	}
}
