package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/solarview/solarview/internal/dbtest"
)

// TestScratchDatabasesAreDropped is issue 12's fifth problem:
// makemigrations left its solarview_plan_* database behind after kill -9 or
// Ctrl-C, and blamed permissions for Ctrl-C. Now the next makemigrations drops
// what kill -9 left, and Ctrl-C drops its own and says "interrupted".
func TestScratchDatabasesAreDropped(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	// The project's migrations without the latest views migration, so
	// makemigrations has a change to plan on a scratch database.
	dir := t.TempDir()
	files, err := filepath.Glob("../../migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	for _, f := range files {
		if strings.Contains(f, "sensor_views") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	scratchOf := func(pid int) []string {
		rows, err := conn.Query(context.Background(), "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
			fmt.Sprintf("%s%d_", scratchPrefix, pid))
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	// startUntilScratch starts makemigrations and waits until its scratch
	// database exists.
	startUntilScratch := func(stderr *bytes.Buffer) *exec.Cmd {
		t.Helper()
		cmd := runProcess(dsn, "makemigrations", "--dir", dir, "--dry-run")
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for len(scratchOf(cmd.Process.Pid)) == 0 {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("no scratch database appeared; stderr: %s", stderr)
			}
			time.Sleep(5 * time.Millisecond)
		}
		return cmd
	}

	var killedErr bytes.Buffer
	killed := startUntilScratch(&killedErr)
	_ = killed.Process.Signal(syscall.SIGKILL)
	_ = killed.Wait()
	left := scratchOf(killed.Process.Pid)
	if len(left) != 1 {
		t.Fatalf("after kill -9: scratch databases %v, want the one it left", left)
	}

	var interruptedErr bytes.Buffer
	interrupted := startUntilScratch(&interruptedErr)
	_ = interrupted.Process.Signal(os.Interrupt)
	err = interrupted.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 130 {
		t.Errorf("Ctrl-C: %v, want exit code 130", err)
	}
	if got := interruptedErr.String(); !strings.HasSuffix(got, "solarview: interrupted\n") || strings.Contains(got, "CREATEDB") {
		t.Errorf("Ctrl-C: stderr %q, want it to end with \"solarview: interrupted\"", got)
	}
	if names := scratchOf(interrupted.Process.Pid); len(names) != 0 {
		t.Errorf("Ctrl-C left %v", names)
	}
	// The second run began by dropping what the killed one left.
	if names := scratchOf(killed.Process.Pid); len(names) != 0 {
		t.Errorf("the next makemigrations left the killed run's %v", names)
	}
	if !strings.Contains(interruptedErr.String(), "dropped the scratch database "+left[0]) {
		t.Errorf("the next makemigrations did not say it dropped %s: %q", left[0], interruptedErr.String())
	}

	// A run to the end, in a process of its own: tests running in parallel
	// in this process make scratch databases named after its pid too.
	var out bytes.Buffer
	done := runProcess(dsn, "makemigrations", "--dir", dir, "--dry-run")
	done.Stdout = &out
	if err := done.Run(); err != nil || !strings.Contains(out.String(), "CREATE OR REPLACE VIEW") && !strings.Contains(out.String(), "CREATE VIEW") {
		t.Fatalf("makemigrations: %v\n%s", err, out.String())
	}
	if names := scratchOf(done.Process.Pid); len(names) != 0 {
		t.Errorf("makemigrations left %v", names)
	}
}
