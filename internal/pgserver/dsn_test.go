package pgserver

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestDSNRoundTripsThroughPgx(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"/tmp/x.run", "/home/a b/100%/data.run", "/tmp/a&host=evil"} {
		dsn := dsnFor(dir, "db name")
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		if cfg.Host != dir || cfg.Database != "db name" || cfg.User != "postgres" || cfg.TLSConfig != nil {
			t.Errorf("%s parses to host %q db %q user %q tls %v", dsn, cfg.Host, cfg.Database, cfg.User, cfg.TLSConfig != nil)
		}
	}
}

func TestSocketDirFor(t *testing.T) {
	t.Parallel()
	short := "/home/someone/.local/share/solarview/postgres"
	if got := socketDirFor(short, 1000); got != short+".run" {
		t.Errorf("socketDirFor(%s) = %s, want it beside the data directory", short, got)
	}
	long := "/home/someone/" + strings.Repeat("deep/", 20) + "postgres"
	a, b := socketDirFor(long, 1000), socketDirFor(long+"2", 1000)
	if filepath.Dir(a) != "/tmp" || a == b || a != socketDirFor(long, 1000) {
		t.Errorf("long paths: got %s and %s, want distinct stable directories in /tmp", a, b)
	}
	if len(a)+len("/.s.PGSQL.5432") > maxSocketPath {
		t.Errorf("fallback %s is still too long", a)
	}
}
