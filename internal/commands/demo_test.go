package commands

import (
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

// TestDemo runs the README's first command against a fresh database: it
// must migrate, load the sample year, print a battery report, and be quick
// to run again.
func TestDemo(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)

	out := mustRun(t, dsn, "demo")
	for _, want := range []string{
		"applied 20261121000001_foundation",
		`Loaded 316224 rows for "Demo house"`,
		"12 monthly billing periods",
		"3 temperature sensors",
		"2024-12-01 to 2024-12-31",
		"TOTAL",
		"Simple payback:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}

	again := mustRun(t, dsn, "demo")
	if !strings.Contains(again, "already loaded") || strings.Contains(again, "Loaded 316224") {
		t.Errorf("a second demo reloaded the data:\n%s", again)
	}
	if !strings.Contains(again, "Simple payback:") {
		t.Errorf("a second demo printed no report:\n%s", again)
	}

	if r := run(t, dsn, "demo", "--reset"); r.code == 0 || !strings.Contains(r.stderr, "refuses to wipe --database-url") {
		t.Errorf("demo --reset with --database-url: exit %d, stderr %q", r.code, r.stderr)
	}
}
