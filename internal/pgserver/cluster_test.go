package pgserver

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// helperEnv makes the test binary, re-executed by TestStartFromTwoProcesses,
// start the cluster in that data directory and print the server's pid.
const helperEnv = "PGSERVER_TEST_START_DATADIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(helperStart(dir))
	}
	os.Exit(m.Run())
}

func helperStart(dir string) int {
	c, err := New(Options{DataDir: dir, Settings: fastSettings(), Log: os.Stderr})
	if err == nil {
		err = c.Start(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	st, err := c.Status(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	fmt.Printf("pid=%d\n", st.PID)
	return 0
}

func fastSettings() map[string]string {
	return map[string]string{"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"}
}

// syncBuffer collects progress messages from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestCluster describes a cluster in a fresh temporary directory, tied to
// the test process and stopped when the test ends.
func newTestCluster(t *testing.T, dataDir string, log *syncBuffer) *Cluster {
	t.Helper()
	if _, err := FindBinDir(); err != nil {
		t.Skip(err)
	}
	opts := Options{DataDir: dataDir, Settings: fastSettings(), Ephemeral: true}
	if log != nil {
		opts.Log = log
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return c
}

func query(t *testing.T, dsn, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	var s string
	if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func wantOwner(t *testing.T, c *Cluster, path string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), mode)
	}
	if uid := int(fi.Sys().(*syscall.Stat_t).Uid); uid != c.ownerUID() {
		t.Errorf("%s belongs to uid %d, want the server user's %d", path, uid, c.ownerUID())
	}
}

func TestStartStopRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := &syncBuffer{}
	c := newTestCluster(t, filepath.Join(serverTempDir(t), "pg"), log)

	if st, err := c.Status(ctx); err != nil || st.Running {
		t.Fatalf("before Start: Status = %+v, %v; want not running", st, err)
	}
	begin := time.Now()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("initdb and start: %v", time.Since(begin))

	st, err := c.Status(ctx)
	if err != nil || !st.Running || st.PID == 0 || st.Version == "" {
		t.Fatalf("after Start: Status = %+v, %v", st, err)
	}
	if st.SocketDir != c.SocketDir() {
		t.Errorf("server socket directory %s, want %s", st.SocketDir, c.SocketDir())
	}
	for _, tc := range []struct{ sql, want string }{
		{"SELECT 1::text", "1"},
		{"SHOW server_encoding", "UTF8"},
		{"SHOW listen_addresses", ""}, // no TCP
		{"SHOW fsync", "off"},         // Options.Settings reach the server
		{"SELECT current_user", "postgres"},
	} {
		if got := query(t, c.DSN("postgres"), tc.sql); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.sql, got, tc.want)
		}
	}
	wantOwner(t, c, c.SocketDir(), 0o700)
	wantOwner(t, c, c.DataDir(), 0o700)

	// Idempotent: the same server stays.
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.Status(ctx); again.PID != st.PID {
		t.Errorf("second Start changed the server pid from %d to %d", st.PID, again.PID)
	}

	for range 2 { // the second call finds it
		if err := c.EnsureDatabase(ctx, MainDatabase); err != nil {
			t.Fatal(err)
		}
	}
	if got := query(t, c.DSN(""), "SELECT current_database()"); got != MainDatabase {
		t.Errorf("DSN(\"\") reaches %q, want %q", got, MainDatabase)
	}

	begin = time.Now()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("stop: %v", time.Since(begin))
	if st, _ := c.Status(ctx); st.Running {
		t.Fatalf("after Stop: Status = %+v", st)
	}
	if err := c.Stop(ctx); err != nil {
		t.Errorf("Stop when stopped: %v", err)
	}

	// A crash leaves postmaster.pid behind, and its pid may be reused by an
	// unrelated process: Start must see through it.
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() }()
	stale := fmt.Sprintf("%d\n%s\n0\n5432\n%s\n\n0 0\nready   \n", sleeper.Process.Pid, c.DataDir(), c.SocketDir())
	if err := os.WriteFile(c.pidPath(), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Status(ctx); st.Running {
		t.Fatalf("a postmaster.pid naming a non-postgres process reads as running: %+v", st)
	}

	begin = time.Now()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("restart: %v", time.Since(begin))
	if got := query(t, c.DSN(MainDatabase), "SELECT current_database()"); got != MainDatabase {
		t.Errorf("after restart: current_database() = %q", got)
	}
	if n := strings.Count(log.String(), "initialising"); n != 1 {
		t.Errorf("initialised %d times, want once; log:\n%s", n, log)
	}
}

func TestConcurrentStartInOneProcess(t *testing.T) {
	t.Parallel()
	// A long data directory path also exercises the socket fallback to /tmp.
	// Its parent does not exist yet: the four Starts race to create it.
	dir := filepath.Join(serverTempDir(t), strings.Repeat("long-directory-name-", 5), "pg")
	log := &syncBuffer{}
	clusters := make([]*Cluster, 4)
	for i := range clusters {
		clusters[i] = newTestCluster(t, dir, log)
	}
	if sd := clusters[0].SocketDir(); !strings.HasPrefix(sd, "/tmp/solarview-") {
		t.Errorf("socket directory for a long data directory path is %s, want one under /tmp", sd)
	}

	var wg sync.WaitGroup
	errs := make([]error, len(clusters))
	for i, c := range clusters {
		wg.Go(func() { errs[i] = c.Start(context.Background()) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	pids := map[int]bool{}
	for _, c := range clusters {
		st, err := c.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pids[st.PID] = true
	}
	if len(pids) != 1 {
		t.Errorf("the clusters report postmaster pids %v, want one", pids)
	}
	for _, msg := range []string{"initialising", "starting"} {
		if n := strings.Count(log.String(), msg); n != 1 {
			t.Errorf("%q logged %d times, want once; log:\n%s", msg, n, log)
		}
	}
	wantOwner(t, clusters[0], clusters[0].SocketDir(), 0o700)
	if got := query(t, clusters[3].DSN("postgres"), "SHOW server_encoding"); got != "UTF8" {
		t.Errorf("server_encoding = %s", got)
	}
	// Nothing may be left behind in /tmp once the cluster is stopped.
	if err := clusters[1].Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(clusters[0].SocketDir()); !os.IsNotExist(err) {
		t.Errorf("socket directory %s still exists after Stop (err %v)", clusters[0].SocketDir(), err)
	}
}

func TestStartFromTwoProcesses(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(serverTempDir(t), "pg")
	c := newTestCluster(t, dir, nil) // stops the server the helpers leave running

	type result struct {
		out, errOut string
		err         error
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"="+dir)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			results[i] = result{stdout.String(), stderr.String(), err}
		})
	}
	wg.Wait()

	var logs string
	pids := map[string]bool{}
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("helper process: %v\n%s", r.err, r.errOut)
		}
		pids[strings.TrimSpace(r.out)] = true
		logs += r.errOut
	}
	st, err := c.Status(context.Background())
	if err != nil || !st.Running {
		t.Fatalf("Status = %+v, %v; want running", st, err)
	}
	if want := "pid=" + strconv.Itoa(st.PID); len(pids) != 1 || !pids[want] {
		t.Errorf("helpers saw servers %v, want only %s", pids, want)
	}
	for _, msg := range []string{"initialising", "starting"} {
		if n := strings.Count(logs, msg); n != 1 {
			t.Errorf("%q logged %d times by the two processes, want once; logs:\n%s", msg, n, logs)
		}
	}
	if got := query(t, c.DSN("postgres"), "SELECT 1::text"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
}

func TestEnsureDatabaseConcurrently(t *testing.T) {
	t.Parallel()
	c := newTestCluster(t, filepath.Join(serverTempDir(t), "pg"), nil)
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	name := `odd "name" ü`
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = c.EnsureDatabase(ctx, name) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := query(t, c.DSN(name), "SELECT current_database() || ' ' || pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"); got != name+" UTF8" {
		t.Errorf("got %q, want %q", got, name+" UTF8")
	}
}

// serverTempDir returns a new directory in the system's temporary directory
// that the server user can use: as root, the test gives it to postgres (the
// test created it; solarview itself never changes a directory it did not
// create). t.TempDir would not do: its parent is 0700.
func serverTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgserver-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if u, err := lookupServerUser(); err != nil {
		t.Fatal(err)
	} else if u != nil {
		if err := os.Chown(dir, u.uid, u.gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestReusedPIDOfAnotherPostmaster is issue 12's fourth problem: a stale
// postmaster.pid whose pid now belongs to another PostgreSQL server made
// Status report "running" and Stop stop that other server.
func TestReusedPIDOfAnotherPostmaster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	other := newTestCluster(t, filepath.Join(serverTempDir(t), "other"), nil)
	if err := other.Start(ctx); err != nil {
		t.Fatal(err)
	}
	otherSt, err := other.Status(ctx)
	if err != nil || !otherSt.Running {
		t.Fatalf("the other cluster: %+v, %v", otherSt, err)
	}

	c := newTestCluster(t, filepath.Join(serverTempDir(t), "pg"), nil)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// As if c had crashed and the other postmaster had been given its pid;
	// the socket line names the other server's socket, as a worst case.
	for _, socketDir := range []string{c.SocketDir(), other.SocketDir()} {
		stale := fmt.Sprintf("%d\n%s\n0\n5432\n%s\n\n0 0\nready   \n", otherSt.PID, c.DataDir(), socketDir)
		if err := os.WriteFile(c.pidPath(), []byte(stale), 0o600); err != nil {
			t.Fatal(err)
		}
		if st, _ := c.Status(ctx); st.Running {
			t.Fatalf("another postmaster's pid in postmaster.pid reads as running: %+v", st)
		}
		if err := c.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if st, _ := other.Status(ctx); !st.Running || st.PID != otherSt.PID {
			t.Fatalf("Stop of a stopped cluster stopped the other one: %+v", st)
		}
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start over the stale pid file: %v", err)
	}
	if got := query(t, c.DSN("postgres"), "SHOW data_directory"); got != c.DataDir() {
		t.Errorf("the started server's data_directory is %s, want %s", got, c.DataDir())
	}
	if st, _ := other.Status(ctx); !st.Running || st.PID != otherSt.PID {
		t.Fatalf("Start disturbed the other cluster: %+v", st)
	}
}

// TestServesAsksTheSocket checks the fallback used where there
// is no /proc: the server on the socket names its data directory.
func TestServesAsksTheSocket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newTestCluster(t, filepath.Join(serverTempDir(t), "pg"), nil)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	other := &Cluster{dataDir: filepath.Join(serverTempDir(t), "not-this-one"), socketDir: c.SocketDir()}
	pf, err := readPidFile(c.pidPath())
	if err != nil {
		t.Fatal(err)
	}
	if !c.servesBySocket(pf) {
		t.Error("the cluster's own server is not recognised on its socket")
	}
	if other.servesBySocket(pf) {
		t.Error("a server with another data directory is taken for ours")
	}
}
