package commands

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

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
	// The follow-up commands name the program as it was run, and work as
	// printed (issue 12's ninth problem).
	_, next, ok := strings.Cut(out, "Next, on the same data:\n")
	if !ok || !strings.Contains(next, "  solarview battery --sweep") || !strings.Contains(next, "same --database-url") {
		t.Fatalf("demo's next steps:\n%s", out)
	}
	ran := 0
	for _, line := range strings.Split(next, "\n") {
		args := shellWords(strings.TrimSpace(line))
		if len(args) < 2 || args[0] != "solarview" {
			continue
		}
		for i, a := range args {
			if a == "sweep.svg" {
				args[i] = filepath.Join(t.TempDir(), a)
			}
		}
		mustRun(t, dsn, args[1:]...)
		ran++
	}
	if ran != 3 {
		t.Errorf("ran %d of the next steps, want 3:\n%s", ran, next)
	}
}

// TestDemoRefusesSomeoneElsesDatabase is issue 12's first problem: demo
// with a URL loaded its sample year into the user's own database. It now
// fills only an empty database, marks it, and refuses any other with
// nothing written.
func TestDemoRefusesSomeoneElsesDatabase(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		solarview bool
	}{
		{"a solarview database", true},
		{"an unrelated table", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.NewDatabase(t, false)
			if tt.solarview {
				mustRun(t, dsn, "migrate")
				mustRun(t, dsn, "site", "add", "alice home")
			} else {
				conn := openPgx(t, dsn)
				if _, err := conn.Exec(context.Background(), "CREATE TABLE ledger (id int); INSERT INTO ledger VALUES (1)"); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, dsn)
			r := run(t, dsn, "demo")
			if r.code != 1 || !strings.Contains(r.stderr, "solarview demo did not create") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("demo into a database holding data: exit %d, stderr %q", r.code, r.stderr)
			}
			if after := snapshot(t, dsn); after != before {
				t.Errorf("demo changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// shellWords splits a command line as a shell would, for the simple
// quoting demo prints (double quotes, no escapes).
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, quoted := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

func openPgx(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
