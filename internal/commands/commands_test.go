package commands

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/views"
)

// TestMain doubles as the solarview binary: with SOLARVIEW_TEST_MAIN=1 the
// test executable runs the CLI, so tests can start real concurrent
// processes without building the command first.
func TestMain(m *testing.M) {
	if os.Getenv("SOLARVIEW_TEST_MAIN") == "1" {
		// As Run does: Ctrl-C and SIGTERM cancel the context.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		code := Main(ctx, append([]string{"solarview"}, os.Args[1:]...), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	dbtest.Main(m)
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs solarview in-process against the database at dsn.
func run(t *testing.T, dsn string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"solarview", "--database-url", dsn}, args...)
	app := App(&stdout, &stderr)
	if vs, ok := testViews.Load(t); ok {
		envOfApp(app).Views = func() []views.View { return vs.([]views.View) }
	}
	if errs, ok := testRegisterErrors.Load(t); ok {
		envOfApp(app).RegisterErrors = func() []*views.RegisterError { return errs.([]*views.RegisterError) }
	}
	code := runApp(context.Background(), app, argv, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

// mustRun runs solarview and fails the test unless it exits 0.
func mustRun(t *testing.T, dsn string, args ...string) string {
	t.Helper()
	r := run(t, dsn, args...)
	if r.code != 0 {
		t.Fatalf("solarview %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// runProcess runs solarview as a separate process.
func runProcess(dsn string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"--database-url", dsn}, args...)...)
	cmd.Env = append(os.Environ(), "SOLARVIEW_TEST_MAIN=1")
	return cmd
}

func TestMigrateShowmigrationsRollback(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)

	out := mustRun(t, dsn, "migrate")
	if !strings.Contains(out, "applied 20261121000001_foundation") {
		t.Fatalf("migrate did not say what it applied:\n%s", out)
	}
	if out := mustRun(t, dsn, "migrate"); !strings.Contains(out, "No migrations to apply") {
		t.Fatalf("second migrate:\n%s", out)
	}
	out = mustRun(t, dsn, "showmigrations")
	if strings.Contains(out, "pending") && !strings.Contains(out, ", 0 pending") {
		t.Fatalf("showmigrations lists pending migrations after migrate:\n%s", out)
	}
	if !strings.Contains(out, "20261121000001_foundation") {
		t.Fatalf("showmigrations does not list the foundation migration:\n%s", out)
	}
	if out := mustRun(t, dsn, "rollback"); !strings.Contains(out, "rolled back 20261121000001_foundation") {
		t.Fatalf("rollback:\n%s", out)
	}
	if out := mustRun(t, dsn, "showmigrations"); !strings.Contains(out, "\n0 applied, ") {
		t.Fatalf("showmigrations after rollback:\n%s", out)
	}
	if out := mustRun(t, dsn, "migrate"); !strings.Contains(out, "applied 20261121000001_foundation") {
		t.Fatalf("migrate after rollback:\n%s", out)
	}
}

func TestTwoMigrateProcessesAtOnce(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)

	cmds := []*exec.Cmd{runProcess(dsn, "migrate"), runProcess(dsn, "migrate")}
	outs := make([]bytes.Buffer, len(cmds))
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Run(); err != nil {
				t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
			}
		}()
	}
	wg.Wait()
	both := outs[0].String() + outs[1].String()
	if n := strings.Count(both, "applied 20261121000001_foundation"); n != 1 {
		t.Fatalf("the foundation migration was applied %d times:\n%s", n, both)
	}
}

func TestSiteAddAndList(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)

	mustRun(t, dsn, "site", "add", "home", "--nmi", "6001234567", "--tz", "Australia/Adelaide")
	mustRun(t, dsn, "site", "add", "shack")
	out := mustRun(t, dsn, "site", "list")
	for _, want := range []string{"home", "6001234567", "Australia/Adelaide", "shack", "Australia/Sydney", "no data"} {
		if !strings.Contains(out, want) {
			t.Errorf("site list lacks %q:\n%s", want, out)
		}
	}

	bad := []struct {
		args []string
		want string
	}{
		{[]string{"site", "add", "home"}, `a site named "home" already exists`},
		{[]string{"site", "add", "other", "--nmi", "6001234567"}, `a site with NMI "6001234567" already exists`},
		{[]string{"site", "add", "far", "--tz", "Mars/Olympus"}, `unknown time zone "Mars/Olympus"`},
		{[]string{"site", "add"}, "site add needs exactly one NAME"},
	}
	for _, tt := range bad {
		r := run(t, dsn, tt.args...)
		if r.code == 0 {
			t.Errorf("%v succeeded", tt.args)
			continue
		}
		if !strings.Contains(r.stderr, tt.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: stderr = %q, want one line containing %q", tt.args, r.stderr, tt.want)
		}
	}
}

func TestUnreachableDatabaseIsOneLineError(t *testing.T) {
	t.Parallel()
	r := run(t, "postgres://solarview:secret-password@127.0.0.1:1/nowhere?connect_timeout=2", "migrate")
	if r.code == 0 {
		t.Fatal("migrate succeeded against an unreachable server")
	}
	msg := strings.TrimSpace(r.stderr)
	if msg == "" || strings.Contains(msg, "\n") {
		t.Fatalf("stderr = %q, want one line", r.stderr)
	}
	if strings.Contains(msg, "secret-password") {
		t.Fatalf("the error leaks the password: %q", msg)
	}
	if !strings.Contains(msg, "cannot connect") {
		t.Fatalf("stderr = %q, want it to say it cannot connect", msg)
	}
}
