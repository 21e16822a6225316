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

// withParam adds key=value to a URL or key=value DSN.
func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres") {
		return dsn + " " + key + "='" + value + "'"
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	// libpq's URLs take %20 for a space, not Encode's +.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String()
}

// A URL that sets jit, as a parameter or in options, keeps its setting.
func TestURLKeepsItsOwnJITSetting(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	for _, p := range [][2]string{{"jit", "on"}, {"options", "-c jit=on"}} {
		db, err := database.Open(context.Background(), withParam(t, dsn, p[0], p[1]))
		if err != nil {
			t.Fatal(err)
		}
		setting, source := jit(t, db)
		db.Close()
		if setting != "on" || source != "client" {
			t.Errorf("%s=%s: jit = %s (from %s), want on from the URL (client)", p[0], p[1], setting, source)
		}
	}
}
