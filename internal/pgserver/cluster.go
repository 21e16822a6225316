package pgserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// MainDatabase is the database solarview keeps its data in.
const MainDatabase = "solarview"

// port only names the socket file (.s.PGSQL.5432): the server opens no TCP
// port, and every cluster has its own socket directory, so they never clash.
const port = 5432

// maxSocketPath is the longest socket path accepted: sun_path holds 104 bytes
// on macOS and 108 on Linux, including the terminating NUL.
const maxSocketPath = 103

// startTimeout bounds how long Start waits for the server to accept
// connections when the caller's context has no deadline (crash recovery of a
// large cluster can take a while).
const startTimeout = 2 * time.Minute

// Options configures a [Cluster]. The zero value describes the user's
// embedded cluster.
type Options struct {
	// DataDir is the cluster's data directory. Default: [DefaultDataDir].
	DataDir string
	// BinDir holds initdb and postgres. Default: [FindBinDir].
	BinDir string
	// Settings are extra server settings, passed as -c name=value when this
	// Cluster starts the server (a server already running keeps its own),
	// e.g. fsync=off for throw-away clusters. With fsync=off initdb also
	// skips its own fsyncs (--no-sync).
	Settings map[string]string
	// Log receives one-line progress messages such as "initialising embedded
	// PostgreSQL in …". Nil discards them.
	Log io.Writer
	// Ephemeral ties the server's lifetime to this process: on Linux the
	// kernel sends the server SIGQUIT (immediate shutdown) when the process
	// that started it dies. Test clusters set it; the CLI's cluster must
	// outlive each command and leaves it false.
	Ephemeral bool
}

// Status describes a cluster as found on disk.
type Status struct {
	Running   bool
	PID       int    // postmaster process id, 0 when not running
	DataDir   string // data directory
	SocketDir string // directory of the Unix socket
	Version   string // version of the server binaries, e.g. "15.18"
}

// Cluster is one embedded PostgreSQL cluster. Its methods may be called
// concurrently.
type Cluster struct {
	dataDir   string
	binDir    string
	socketDir string
	settings  map[string]string
	log       io.Writer
	ephemeral bool

	// owner is the user the server runs as: the postgres system user when
	// solarview runs as root, nil (this process's user) otherwise.
	owner    *serverUser
	ownerErr error

	mu        sync.Mutex    // serialises Start and Stop within this process
	childDone chan struct{} // closed when a server this process started exits

	versionOnce sync.Once
	version     string
	versionErr  error
}

// rootDataDir is the data directory when solarview runs as root: the server
// then runs as the postgres user, who can reach /var/lib without anyone's
// home directory being opened to it.
const rootDataDir = "/var/lib/solarview/postgres"

// DefaultDataDir returns the embedded cluster's data directory:
// $SOLARVIEW_DATA_DIR, else $XDG_DATA_HOME/solarview/postgres, else
// ~/.local/share/solarview/postgres. As root the default is
// /var/lib/solarview/postgres instead, unless a cluster already lives in the
// per-user directory (earlier versions put root's there, opening the
// directories above it with ACLs): that one keeps being used.
func DefaultDataDir() (string, error) {
	if d := os.Getenv("SOLARVIEW_DATA_DIR"); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", fmt.Errorf("SOLARVIEW_DATA_DIR: %w", err)
		}
		return abs, nil
	}
	if os.Geteuid() == 0 {
		if d, err := userDataDir(); err == nil {
			if _, err := os.Stat(filepath.Join(d, "PG_VERSION")); err == nil {
				return d, nil
			}
		}
		return rootDataDir, nil
	}
	return userDataDir()
}

// userDataDir is the per-user data directory of the XDG base directory
// specification.
func userDataDir() (string, error) {
	// The XDG spec says relative values are invalid and must be ignored.
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "solarview", "postgres"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the embedded PostgreSQL data directory (set SOLARVIEW_DATA_DIR): %w", err)
	}
	return filepath.Join(home, ".local", "share", "solarview", "postgres"), nil
}

// New describes a cluster, filling in defaults. It touches nothing on disk
// except to look for binaries, so it is cheap and safe for commands that may
// not need the server.
func New(opts Options) (*Cluster, error) {
	c := &Cluster{
		dataDir:   opts.DataDir,
		binDir:    opts.BinDir,
		settings:  opts.Settings,
		log:       opts.Log,
		ephemeral: opts.Ephemeral,
	}
	if c.log == nil {
		c.log = io.Discard
	}
	var err error
	if c.dataDir == "" {
		if c.dataDir, err = DefaultDataDir(); err != nil {
			return nil, err
		}
	}
	if c.dataDir, err = filepath.Abs(c.dataDir); err != nil {
		return nil, fmt.Errorf("embedded PostgreSQL data directory: %w", err)
	}
	if c.binDir == "" {
		if c.binDir, err = binDirFor(c.dataDir); err != nil {
			return nil, err
		}
	} else if !hasServerBinaries(c.binDir) {
		return nil, fmt.Errorf("%s: %w", c.binDir, ErrBinariesNotFound)
	}
	c.owner, c.ownerErr = lookupServerUser()
	c.socketDir = socketDirFor(c.dataDir, c.ownerUID())
	return c, nil
}

// binDirFor prefers binaries of the major version that initialised an
// existing data directory (a Debian machine may have several installed), and
// otherwise takes the newest found.
func binDirFor(dataDir string) (string, error) {
	if b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		major := strings.TrimSpace(string(b))
		for _, d := range []string{
			"/usr/lib/postgresql/" + major + "/bin",
			"/usr/pgsql-" + major + "/bin",
			"/opt/homebrew/opt/postgresql@" + major + "/bin",
			"/usr/local/opt/postgresql@" + major + "/bin",
		} {
			if hasServerBinaries(d) {
				return d, nil
			}
		}
	}
	return FindBinDir()
}

// socketDirFor keeps the socket beside the data directory when the path fits
// in sun_path, and otherwise in /tmp under a name derived from the server
// user and data directory, so each cluster still gets its own.
func socketDirFor(dataDir string, uid int) string {
	d := dataDir + ".run"
	if len(filepath.Join(d, fmt.Sprintf(".s.PGSQL.%d", port))) <= maxSocketPath {
		return d
	}
	sum := sha256.Sum256([]byte(strconv.Itoa(uid) + "\x00" + dataDir))
	return filepath.Join("/tmp", "solarview-"+hex.EncodeToString(sum[:8]))
}

func (c *Cluster) ownerUID() int {
	if c.owner != nil {
		return c.owner.uid
	}
	return os.Geteuid()
}

// BinDir returns the directory holding the PostgreSQL binaries in use; psql
// is usually there too.
func (c *Cluster) BinDir() string { return c.binDir }

// DataDir returns the cluster's data directory.
func (c *Cluster) DataDir() string { return c.dataDir }

// SocketDir returns the directory of the server's Unix socket.
func (c *Cluster) SocketDir() string { return c.socketDir }

func (c *Cluster) lockPath() string { return c.dataDir + ".lock" }

// lock serialises starting and stopping the cluster between processes.
func (c *Cluster) lock(ctx context.Context) (func(), error) {
	unlock, err := LockFile(ctx, c.lockPath())
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("waiting for another solarview to finish starting or stopping PostgreSQL: %w", err)
	}
	return unlock, err
}
func (c *Cluster) logPath() string { return c.dataDir + ".log" }
func (c *Cluster) pidPath() string { return filepath.Join(c.dataDir, "postmaster.pid") }

// LogPath returns the file the server's messages are appended to.
func (c *Cluster) LogPath() string { return c.logPath() }

// Start initialises the cluster if needed and starts the server if it is not
// running, then waits until it accepts connections. It is idempotent and
// safe to call concurrently from goroutines and processes: the others wait
// for the one doing the work and then find the server running.
func (c *Cluster) Start(ctx context.Context) error {
	if c.ownerErr != nil {
		return c.ownerErr
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}
	c.mu.Lock()
	defer c.mu.Unlock()

	if err := c.prepareParent(filepath.Dir(c.dataDir)); err != nil {
		return err
	}
	if err := c.checkReachable(filepath.Dir(c.socketDir)); err != nil {
		return err
	}
	unlock, err := c.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	if st := c.status(); st.Running {
		if st.SocketDir != "" && st.SocketDir != c.socketDir {
			return fmt.Errorf("embedded PostgreSQL (pid %d) is running with its socket in %s, expected %s; stop it with `solarview db stop` and retry",
				st.PID, st.SocketDir, c.socketDir)
		}
		// It may still be starting or recovering after a crash.
		return c.waitReady(ctx, st.PID, nil, 0)
	}
	// Not running, so any postmaster.pid is stale: left by a crash, and its
	// pid possibly reused since. PostgreSQL would refuse to start if that pid
	// now belongs to another process of the same user, so remove it (the
	// lock keeps other solarview processes out meanwhile).
	if err := os.Remove(c.pidPath()); err == nil {
		fmt.Fprintf(c.log, "removed stale %s (the server had not shut down cleanly)\n", c.pidPath())
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing stale postmaster.pid: %w", err)
	}
	if err := c.initIfNeeded(ctx); err != nil {
		return err
	}
	if err := c.prepareSocketDir(); err != nil {
		return err
	}
	return c.spawn(ctx)
}

// initIfNeeded runs initdb unless the data directory holds a cluster. initdb
// writes into <data>.initdb, which is renamed into place only once complete,
// so an interrupted initialisation never leaves a broken data directory.
func (c *Cluster) initIfNeeded(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	if entries, err := os.ReadDir(c.dataDir); err == nil {
		if len(entries) > 0 {
			return fmt.Errorf("%s exists but is not a PostgreSQL data directory (no PG_VERSION); move it away or set SOLARVIEW_DATA_DIR", c.dataDir)
		}
		if err := os.Remove(c.dataDir); err != nil {
			return fmt.Errorf("removing empty %s: %w", c.dataDir, err)
		}
	}
	fmt.Fprintf(c.log, "initialising embedded PostgreSQL in %s\n", c.dataDir)
	tmp := c.dataDir + ".initdb"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("removing leftover %s: %w", tmp, err)
	}
	if err := c.mkdirOwned(tmp); err != nil {
		return err
	}
	major, err := c.majorVersion()
	if err != nil {
		return err
	}
	args := []string{
		"-D", tmp,
		"-E", "UTF8",
		"--locale=C",
		"-U", "postgres",
		"--auth-local=trust",
		"--auth-host=reject",
	}
	if major >= 13 {
		args = append(args, "--no-instructions")
	}
	if c.settings["fsync"] == "off" {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, "initdb"), args...)
	cmd.Dir = "/"
	cmd.Env = serverEnv()
	cmd.SysProcAttr = c.procAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("initdb failed: %w\n%s", err, bytes.TrimSpace(out))
	}
	// Socket-only, also when someone starts this cluster by hand with pg_ctl.
	conf := "\n# Added by solarview: the embedded server listens only on its Unix socket.\n" +
		"listen_addresses = ''\nunix_socket_permissions = 0700\n"
	f, err := os.OpenFile(filepath.Join(tmp, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("configuring the new cluster: %w", err)
	}
	_, werr := f.WriteString(conf)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("configuring the new cluster: %w", werr)
	}
	if err := os.Rename(tmp, c.dataDir); err != nil {
		return fmt.Errorf("moving the new cluster into place: %w", err)
	}
	return nil
}

// prepareSocketDir creates the socket directory 0700, owned by the server
// user, and refuses one that someone else owns (it may be in /tmp).
func (c *Cluster) prepareSocketDir() error {
	if err := os.Mkdir(c.socketDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating socket directory: %w", err)
	}
	fi, err := os.Lstat(c.socketDir)
	if err != nil {
		return fmt.Errorf("socket directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("socket directory %s is not a directory", c.socketDir)
	}
	uid := c.ownerUID()
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
		if int(st.Uid) != os.Geteuid() {
			return fmt.Errorf("socket directory %s belongs to uid %d, not %d; remove it", c.socketDir, st.Uid, uid)
		}
		if err := c.chown(c.socketDir); err != nil {
			return err
		}
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(c.socketDir, 0o700); err != nil {
			return fmt.Errorf("socket directory: %w", err)
		}
	}
	return nil
}

// spawn starts postgres directly (not via pg_ctl, whose -o options pass
// through a shell) in its own session, with its output appended to the log,
// and waits until it accepts connections.
func (c *Cluster) spawn(ctx context.Context) error {
	logf, err := os.OpenFile(c.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening server log: %w", err)
	}
	defer logf.Close()
	logStart, _ := logf.Seek(0, io.SeekEnd)

	args := []string{
		"-D", c.dataDir,
		"-k", c.socketDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=",
		"-c", "unix_socket_permissions=0700",
	}
	names := make([]string, 0, len(c.settings))
	for k := range c.settings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, "-c", k+"="+c.settings[k])
	}
	cmd := exec.Command(filepath.Join(c.binDir, "postgres"), args...)
	cmd.Dir = "/"
	cmd.Env = serverEnv()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = c.procAttr()
	cmd.SysProcAttr.Setsid = true // a terminal's Ctrl-C must not reach the server

	fmt.Fprintf(c.log, "starting embedded PostgreSQL (data directory %s)\n", c.dataDir)
	done := make(chan struct{})
	if err := startProcess(cmd, c.ephemeral, done); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	c.childDone = done
	return c.waitReady(ctx, cmd.Process.Pid, done, logStart)
}

// waitReady polls postmaster.pid until the postmaster with the given pid
// reports "ready". done, when not nil, is closed if that process exits.
func (c *Cluster) waitReady(ctx context.Context, pid int, done <-chan struct{}, logStart int64) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if pf, err := readPidFile(c.pidPath()); err == nil && pf.pid == pid && pf.status == "ready" {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("postgres exited during startup; from %s:\n%s", c.logPath(), c.logTail(logStart))
		case <-ctx.Done():
			return fmt.Errorf("waiting for embedded PostgreSQL (pid %d) to accept connections: %w; see %s", pid, ctx.Err(), c.logPath())
		case <-tick.C:
			if done == nil && !processAlive(pid) {
				return fmt.Errorf("postgres (pid %d) exited during startup; see %s", pid, c.logPath())
			}
		}
	}
}

// logTail returns what the server logged since offset, at most the last 2 KiB.
func (c *Cluster) logTail(offset int64) string {
	b, err := os.ReadFile(c.logPath())
	if err != nil || offset > int64(len(b)) {
		return ""
	}
	b = b[offset:]
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return string(bytes.TrimSpace(b))
}

// Stop shuts the server down with a fast shutdown (open sessions are
// disconnected, a checkpoint is written) and waits for it to exit. A server
// that is not running is not an error.
func (c *Cluster) Stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := os.Stat(c.dataDir); err != nil {
		return nil // never initialised: nothing runs
	}
	unlock, err := c.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	st := c.status()
	if !st.Running {
		c.removeTmpSocketDir()
		return nil
	}
	if err := syscall.Kill(st.PID, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping embedded PostgreSQL (pid %d): %w", st.PID, err)
	}
	stopped := c.waitExit(ctx, st.PID, 60*time.Second)
	if !stopped && ctx.Err() != nil {
		return fmt.Errorf("stopping embedded PostgreSQL (pid %d): %w", st.PID, ctx.Err())
	}
	if !stopped {
		// A fast shutdown that hangs for a minute is stuck; an immediate
		// shutdown still leaves a consistent cluster (it recovers from WAL
		// on the next start).
		_ = syscall.Kill(st.PID, syscall.SIGQUIT)
		if !c.waitExit(ctx, st.PID, 10*time.Second) {
			return fmt.Errorf("embedded PostgreSQL (pid %d) did not stop; see %s", st.PID, c.logPath())
		}
	}
	c.removeTmpSocketDir()
	return nil
}

// removeTmpSocketDir removes the socket directory if it is the fallback in
// /tmp, which would otherwise outlive the cluster (the one beside the data
// directory goes when that does). os.Remove leaves it if not empty.
func (c *Cluster) removeTmpSocketDir() {
	if c.socketDir != c.dataDir+".run" {
		_ = os.Remove(c.socketDir)
	}
}

// waitExit waits until the postmaster has removed its pid file or is gone.
func (c *Cluster) waitExit(ctx context.Context, pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if c.childDone != nil {
			select {
			case <-c.childDone:
				return true
			default:
			}
		}
		if _, err := os.Stat(c.pidPath()); errors.Is(err, os.ErrNotExist) {
			return true
		}
		if !processAlive(pid) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// Status reports whether the server is running, from its pid file and the
// process table; it starts nothing.
func (c *Cluster) Status(ctx context.Context) (Status, error) {
	st := c.status()
	v, err := c.Version()
	if err != nil {
		return st, err
	}
	st.Version = v
	return st, nil
}

func (c *Cluster) status() Status {
	st := Status{DataDir: c.dataDir, SocketDir: c.socketDir}
	pf, err := readPidFile(c.pidPath())
	if err != nil || !processAlive(pf.pid) || !c.serves(pf) {
		// No pid file, or a stale one left by a crash (its pid possibly
		// reused since, even by another postmaster): Start replaces it.
		return st
	}
	st.Running, st.PID = true, pf.pid
	if pf.socketDir != "" {
		st.SocketDir = pf.socketDir
	}
	return st
}

// serves reports whether the live process pf names is this cluster's
// server. A crash leaves postmaster.pid behind, and its pid may since belong
// to another PostgreSQL server (another user's, or another cluster of ours):
// taking that for ours would make `db stop` stop it. A postmaster runs in
// its data directory, so on Linux /proc/PID/cwd says whose it is (a process
// of another user cannot be read, and is not ours either). Elsewhere, the
// server on the socket postmaster.pid names is asked for its data_directory.
func (c *Cluster) serves(pf pidFile) bool {
	want := c.dataDir
	if real, err := filepath.EvalSymlinks(c.dataDir); err == nil {
		want = real
	}
	dir, err := processDir(pf.pid)
	switch {
	case err == nil:
		return dir == want
	case errors.Is(err, os.ErrPermission):
		return false
	}
	return c.servesBySocket(pf)
}

// servesBySocket asks the server listening on pf's socket directory for its
// data directory and compares it with this cluster's.
func (c *Cluster) servesBySocket(pf pidFile) bool {
	want := c.dataDir
	if real, err := filepath.EvalSymlinks(c.dataDir); err == nil {
		want = real
	}
	socketDir := pf.socketDir
	if socketDir == "" {
		socketDir = c.socketDir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsnFor(socketDir, "postgres"))
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var got string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&got); err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(got); err == nil {
		got = real
	}
	return got == want
}

// Version returns the server binaries' version, e.g. "15.18".
func (c *Cluster) Version() (string, error) {
	c.versionOnce.Do(func() {
		out, err := exec.Command(filepath.Join(c.binDir, "postgres"), "--version").Output()
		if err != nil {
			c.versionErr = fmt.Errorf("%s --version: %w", filepath.Join(c.binDir, "postgres"), err)
			return
		}
		// "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
		fields := strings.Fields(string(out))
		if len(fields) < 3 {
			c.versionErr = fmt.Errorf("unexpected postgres --version output %q", out)
			return
		}
		c.version = fields[2]
	})
	return c.version, c.versionErr
}

func (c *Cluster) majorVersion() (int, error) {
	v, err := c.Version()
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.SplitN(strings.TrimRightFunc(v, func(r rune) bool { return r < '0' || r > '9' }), ".", 2)[0])
	if err != nil {
		return 0, fmt.Errorf("unexpected PostgreSQL version %q", v)
	}
	return n, nil
}

// pidFile is the part of postmaster.pid solarview uses (see PostgreSQL's
// pidfile.h: line 1 pid, line 5 socket directory, line 8 status).
type pidFile struct {
	pid       int
	socketDir string
	status    string
}

func readPidFile(path string) (pidFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return pidFile{}, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) == 0 {
		return pidFile{}, fmt.Errorf("%s is empty", path)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 {
		return pidFile{}, fmt.Errorf("%s: bad pid %q", path, lines[0])
	}
	pf := pidFile{pid: pid}
	if len(lines) >= 5 {
		pf.socketDir = strings.TrimSpace(lines[4])
	}
	if len(lines) >= 8 {
		pf.status = strings.TrimSpace(lines[7])
	}
	return pf, nil
}

// serverEnv is this process's environment minus the libpq variables, which
// would otherwise leak into initdb's and the server's own connections.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// DSN returns a connection URL for database dbname ("" means [MainDatabase])
// over the cluster's Unix socket, as superuser postgres.
func (c *Cluster) DSN(dbname string) string {
	if dbname == "" {
		dbname = MainDatabase
	}
	return dsnFor(c.socketDir, dbname)
}
