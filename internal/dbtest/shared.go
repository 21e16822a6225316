package dbtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/solarview/solarview/internal/pgserver"
)

// One throw-away cluster serves every test binary of one `go test` run.
//
// `go test ./...` starts each package's test binary as a child of the go
// command, so the go command's process is what the binaries of one run have
// in common. The first binary to need a server starts a keeper: this same
// test binary, run again in its own session with [keeperEnv] set. The keeper
// starts the cluster tied to itself (the kernel stops the server if the
// keeper dies), watches the go command, and when it is gone stops the
// server and removes the run's directory. Later binaries of the run find the
// keeper's ready file and connect. So a run initialises one cluster and
// migrates one template instead of one per package, and nothing outlives it.
//
// The run directory is named after the go command's pid and start time
// (pids are reused); a directory whose go command and keeper are both gone
// is an orphan, removed by the next run. Where the parent is not `go test`
// (a test binary run by hand, another OS), each binary keeps a cluster of
// its own as before.

// keeperEnv, when set in a test binary's environment, makes [Main] run the
// keeper of the run directory it names instead of the tests.
const keeperEnv = "SOLARVIEW_DBTEST_KEEPER"

// runPrefix starts the names of shared run directories, followed by the go
// command's pid and start time.
const runPrefix = tempPrefix + "run-"

// templateName is the shared run's migrated template database. The run's
// binaries come from one source tree, so one template serves them all.
const templateName = "tmpl_shared"

// goTestParent returns the pid and start time of the go command that ran
// this test binary, or ok=false when the parent is not `go test`.
func goTestParent() (pid int, start string, ok bool) {
	pid = os.Getppid()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return 0, "", false
	}
	args := strings.Split(string(cmdline), "\x00")
	if len(args) < 2 || filepath.Base(args[0]) != "go" || args[1] != "test" {
		return 0, "", false
	}
	start, ok = processStart(pid)
	return pid, start, ok
}

// processStart returns a process's start time in clock ticks since boot
// (field 22 of /proc/PID/stat), which tells a process from a later one
// given the same pid.
func processStart(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	// The command name (field 2) may hold spaces; it ends at the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return "", false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return "", false
	}
	return fields[19], true
}

// alive reports whether pid is a running process started at start ("" to
// skip that check).
func alive(pid int, start string) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if start == "" {
		return true
	}
	got, ok := processStart(pid)
	return ok && got == start
}

// sharedCluster returns the cluster of this `go test` run, starting its
// keeper if no binary of the run has yet. ok is false when the binary was
// not started by `go test`.
func sharedCluster(ctx context.Context) (c *pgserver.Cluster, ok bool, err error) {
	goPid, goStart, ok := goTestParent()
	if !ok {
		return nil, false, nil
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("%s%d-%s", runPrefix, goPid, goStart))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, true, err
	}
	unlock, err := pgserver.LockFile(ctx, filepath.Join(dir, "lock"))
	if err != nil {
		return nil, true, err
	}
	defer unlock()
	if !keeperRunning(dir) {
		if err := startKeeper(ctx, dir, goPid, goStart); err != nil {
			return nil, true, err
		}
	}
	c, err = pgserver.New(pgserver.Options{DataDir: filepath.Join(dir, "data")})
	return c, true, err
}

// keeperRunning reports whether dir's keeper has said it is ready and is
// still alive.
func keeperRunning(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "ready"))
	if err != nil {
		return false
	}
	pid, start, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	n, err := strconv.Atoi(pid)
	return err == nil && alive(n, start)
}

// startKeeper runs this test binary again as dir's keeper and waits until
// its server accepts connections.
func startKeeper(ctx context.Context, dir string, goPid int, goStart string) error {
	_ = os.Remove(filepath.Join(dir, "ready"))
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "keeper.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %s", keeperEnv, dir, goPid, goStart))
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own session: a Ctrl-C meant for `go test` reaches the keeper only
	// through the go command's exit, which it is watching for.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the test server's keeper: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	for !keeperRunning(dir) {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "keeper.log"))
			return fmt.Errorf("the test server's keeper exited (%v): %s", err, strings.TrimSpace(string(log)))
		case <-deadline.C:
			_ = cmd.Process.Kill()
			return errors.New("the test server's keeper did not start the server within 2 minutes")
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// keep is the keeper's whole life (see the comment at the top of this
// file). It returns the process's exit code.
func keep(arg string) int {
	parts := strings.Fields(arg)
	if len(parts) != 3 {
		fmt.Fprintf(os.Stderr, "dbtest keeper: bad %s=%q\n", keeperEnv, arg)
		return 2
	}
	dir, goStart := parts[0], parts[2]
	goPid, err := strconv.Atoi(parts[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "dbtest keeper: bad go pid %q\n", parts[1])
		return 2
	}
	ctx := context.Background()
	c, err := pgserver.New(pgserver.Options{
		DataDir:   filepath.Join(dir, "data"),
		Settings:  throwAwaySettings,
		Ephemeral: true,
	})
	if err == nil {
		// As root the server runs as postgres, who must enter the run
		// directory that the first test binary made 0700.
		err = c.GiveToServerUser(dir)
	}
	if err == nil {
		err = c.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest keeper:", err)
		return 1
	}
	me, _ := processStart(os.Getpid())
	if err := os.WriteFile(filepath.Join(dir, "ready"), []byte(fmt.Sprintf("%d %s\n", os.Getpid(), me)), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest keeper:", err)
		_ = c.Stop(ctx)
		return 1
	}
	for alive(goPid, goStart) {
		time.Sleep(200 * time.Millisecond)
	}
	stopCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err = c.Stop(stopCtx)
	if rerr := os.RemoveAll(dir); err == nil {
		err = rerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest keeper:", err)
		return 1
	}
	return 0
}

// removeRunOrphans deletes run directories whose go command and keeper are
// both gone (a keeper killed before it could clean up).
func removeRunOrphans(ctx context.Context) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), runPrefix+"*"))
	for _, dir := range dirs {
		pid, start, _ := strings.Cut(strings.TrimPrefix(filepath.Base(dir), runPrefix), "-")
		n, err := strconv.Atoi(pid)
		if err != nil || alive(n, start) || keeperRunning(dir) {
			continue
		}
		if c, err := pgserver.New(pgserver.Options{DataDir: filepath.Join(dir, "data")}); err == nil {
			_ = c.Stop(ctx)
		}
		os.RemoveAll(dir)
	}
}
