// Package dbtest gives tests real PostgreSQL databases: a fresh, empty or
// fully migrated database per test, dropped when the test ends.
//
// With TEST_DATABASE_URL set, databases are created in that server (the URL's
// user needs CREATEDB). Otherwise the tests use a throw-away cluster, started
// through [pgserver] in a temporary directory with durability off (fsync,
// full_page_writes and synchronous_commit): one for the whole `go test` run,
// shared by every package's test binary and stopped when the run ends (see
// shared.go), or, for a test binary not run by `go test`, one of its own,
// stopped when its tests end. If a process dies instead, Linux stops the
// server for it (see [pgserver.Options.Ephemeral]) and the next run removes
// the leftover directory.
//
// Migrated databases are cheap: the project's migrations run once per run
// (or per test binary) into a template database, and each test gets CREATE
// DATABASE … TEMPLATE, a file-level copy.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		db := dbtest.NewMigratedDB(t)
//		…
//	}
package dbtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/internal/pgserver"
)

// EnvURL names the variable selecting an existing server for tests.
const EnvURL = "TEST_DATABASE_URL"

// runIDEnv, when set, replaces the random part of this binary's database
// names, so that a test running this package again in a child process can
// find exactly the databases the child made.
const runIDEnv = "SOLARVIEW_DBTEST_RUN_ID"

// tempPrefix starts the names of throw-away cluster directories; the pid
// of the owning test process follows, so later runs can find orphans.
const tempPrefix = "solarview-dbtest-"

var (
	mainCalled atomic.Bool

	srvOnce sync.Once
	srv     *server
	srvErr  error

	tmplOnce sync.Once
	tmplName string
	tmplErr  error

	dbCounter atomic.Int64
)

// server is where this test binary creates its databases.
type server struct {
	dsnFor  func(dbname string) string
	admin   *pgxpool.Pool
	runID   string            // distinguishes this binary's databases on a shared server
	cluster *pgserver.Cluster // nil with TEST_DATABASE_URL
	tmpDir  string            // this binary's own cluster's directory, removed at the end
	shared  bool              // cluster belongs to the whole `go test` run
	force   bool              // DROP DATABASE … WITH (FORCE) is available (PostgreSQL 13+)
}

// Main runs the tests and then stops this binary's throw-away cluster (or
// drops its template database from TEST_DATABASE_URL's server) before
// exiting with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	if arg := os.Getenv(keeperEnv); arg != "" {
		os.Exit(keep(arg))
	}
	mainCalled.Store(true)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "dbtest: %v: stopping the test database server\n", s)
		_ = shutdown()
		os.Exit(2)
	}()
	code := m.Run()
	signal.Stop(sig)
	if err := shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

var shutdownOnce sync.Once

func shutdown() error {
	var err error
	shutdownOnce.Do(func() {
		if srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var errs []error
		if srv.cluster == nil && tmplName != "" {
			errs = append(errs, srv.dropDatabase(ctx, tmplName))
		}
		srv.admin.Close()
		if srv.cluster != nil && !srv.shared {
			errs = append(errs, srv.cluster.Stop(ctx))
			errs = append(errs, os.RemoveAll(srv.tmpDir))
		}
		err = errors.Join(errs...)
	})
	return err
}

// NewDB returns a connection to a fresh, empty UTF8 database, closed and
// dropped when the test ends.
func NewDB(t testing.TB) *bun.DB {
	t.Helper()
	return open(t, NewDatabase(t, false))
}

// NewMigratedDB returns a connection to a fresh database holding every
// project migration, closed and dropped when the test ends.
func NewMigratedDB(t testing.TB) *bun.DB {
	t.Helper()
	return open(t, NewDatabase(t, true))
}

func open(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewDatabase creates a fresh database for the test — empty, or with every
// migration applied when migrated is true — and returns its DSN, for tests
// that run commands rather than use a connection. It is dropped when the
// test ends, closing any sessions still open.
func NewDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("dbtest: the package's tests must run through dbtest.Main, which stops the test server: add\n\tfunc TestMain(m *testing.M) { dbtest.Main(m) }")
	}
	s, err := getServer()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	ctx := context.Background()
	source := "template0"
	if migrated {
		if source, err = s.template(ctx); err != nil {
			t.Fatalf("dbtest: %v", err)
		}
	}
	name := s.uniqueName(t.Name())
	if err := s.createDatabase(ctx, name, source); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.dropDatabase(context.Background(), name); err != nil {
			t.Errorf("dbtest: %v", err)
		}
	})
	return s.dsnFor(name)
}

func getServer() (*server, error) {
	srvOnce.Do(func() { srv, srvErr = newServer(context.Background()) })
	return srv, srvErr
}

func newServer(ctx context.Context) (*server, error) {
	s := &server{runID: strconv.FormatInt(time.Now().UnixNano()%1e9, 36) + strconv.Itoa(os.Getpid()%1000)}
	if id := os.Getenv(runIDEnv); id != "" {
		s.runID = id
	}
	if u := os.Getenv(EnvURL); u != "" {
		dsnFor, err := dsnReplacer(u)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvURL, err)
		}
		s.dsnFor = dsnFor
		if s.admin, err = pgxpool.New(ctx, u); err != nil {
			return nil, fmt.Errorf("%s: cannot parse it as a PostgreSQL connection string", EnvURL)
		}
	} else if c, ok, err := sharedCluster(ctx); ok {
		if err != nil {
			return nil, fmt.Errorf("starting the test PostgreSQL server: %w", err)
		}
		s.cluster, s.shared, s.dsnFor = c, true, c.DSN
		if s.admin, err = pgxpool.New(ctx, c.DSN("postgres")); err != nil {
			return nil, err
		}
	} else {
		removeOrphans(ctx)
		dir, err := os.MkdirTemp("", tempPrefix+strconv.Itoa(os.Getpid())+"-")
		if err != nil {
			return nil, err
		}
		c, err := pgserver.New(pgserver.Options{
			DataDir:   filepath.Join(dir, "data"),
			Settings:  throwAwaySettings,
			Ephemeral: true,
		})
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.cluster, s.tmpDir = c, dir
		// As root the server runs as postgres, who must enter the 0700
		// directory MkdirTemp made; the cluster never opens it by itself.
		if err := c.GiveToServerUser(dir); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := c.Start(ctx); err != nil {
			_ = c.Stop(ctx)
			os.RemoveAll(dir)
			return nil, fmt.Errorf("starting the test PostgreSQL server: %w", err)
		}
		s.dsnFor = c.DSN
		if s.admin, err = pgxpool.New(ctx, c.DSN("postgres")); err != nil {
			return nil, err
		}
	}
	var version int
	if err := s.admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		s.admin.Close()
		if s.cluster != nil && !s.shared {
			_ = s.cluster.Stop(ctx)
			os.RemoveAll(s.tmpDir)
		}
		return nil, fmt.Errorf("connecting to the test server: %w", err)
	}
	s.force = version >= 130000
	return s, nil
}

// throwAwaySettings trade durability, which a test database never needs,
// for speed; turn off background work (autovacuum visiting short-lived
// databases) and JIT compilation (which costs more than it saves on test-sized
// data); and allow more sessions than the default 100 since every parallel
// test holds its own connection pool. wal_level=minimal was measured and is
// slower here: committing CREATE DATABASE then scans shared buffers once per
// new relation.
var throwAwaySettings = map[string]string{
	"fsync":              "off",
	"full_page_writes":   "off",
	"synchronous_commit": "off",
	"autovacuum":         "off",
	"jit":                "off",
	"max_connections":    "200",
}

// removeOrphans deletes throw-away clusters whose test process died
// without running Main's cleanup, stopping the server if one survived.
func removeOrphans(ctx context.Context) {
	removeRunOrphans(ctx)
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, dir := range dirs {
		if strings.HasPrefix(filepath.Base(dir), runPrefix) {
			continue
		}
		rest := strings.TrimPrefix(filepath.Base(dir), tempPrefix)
		pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			continue // its test binary is still running
		}
		if c, err := pgserver.New(pgserver.Options{DataDir: filepath.Join(dir, "data")}); err == nil {
			_ = c.Stop(ctx)
		}
		os.RemoveAll(dir)
	}
}

// dsnReplacer returns a function giving base's DSN with another database.
func dsnReplacer(base string) (func(string) string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return nil, errors.New("cannot parse it as a URL")
		}
		return func(db string) string {
			v := *u
			v.Path, v.RawPath = "/"+db, ""
			return v.String()
		}, nil
	}
	// key=value form: a later dbname overrides an earlier one.
	return func(db string) string { return base + " dbname='" + db + "'" }, nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// uniqueName derives a database name from the test name, unique within this
// binary (counter) and between binaries sharing a server (runID), within
// PostgreSQL's 63-byte identifier limit.
func (s *server) uniqueName(testName string) string {
	n := dbCounter.Add(1)
	prefix := fmt.Sprintf("t_%s_%d_", s.runID, n)
	slug := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(testName), "_"), "_")
	if max := 63 - len(prefix); len(slug) > max {
		slug = slug[:max]
	}
	return prefix + slug
}

// template returns the name of this binary's migrated template database,
// building it on first use.
func (s *server) template(ctx context.Context) (string, error) {
	tmplOnce.Do(func() {
		if s.shared {
			tmplName, tmplErr = s.sharedTemplate(ctx)
			return
		}
		name := "tmpl_" + s.runID
		if err := s.createDatabase(ctx, name, "template0"); err != nil {
			tmplErr = err
			return
		}
		tmplName = name // from here on, shutdown drops it
		tmplErr = s.migrate(ctx, name)
	})
	return tmplName, tmplErr
}

// sharedTemplate returns the run's template, building it if this is the
// first binary of the run to want one. A binary holding the run's template
// lock builds it under another name and renames it when complete, so
// another binary never clones a half-migrated template, even after a
// builder died.
func (s *server) sharedTemplate(ctx context.Context) (string, error) {
	unlock, err := pgserver.LockFile(ctx, filepath.Join(filepath.Dir(s.cluster.DataDir()), "template.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	var exists bool
	if err := s.admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", templateName).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return templateName, nil
	}
	building := "tmpl_building_" + s.runID
	if err := s.dropDatabase(ctx, building); err != nil {
		return "", err
	}
	if err := s.createDatabase(ctx, building, "template0"); err != nil {
		return "", err
	}
	if err := s.migrate(ctx, building); err != nil {
		return "", err
	}
	rename := "ALTER DATABASE " + pgx.Identifier{building}.Sanitize() + " RENAME TO " + pgx.Identifier{templateName}.Sanitize()
	if _, err := s.admin.Exec(ctx, rename); err != nil {
		return "", fmt.Errorf("naming the template database: %w", err)
	}
	return templateName, nil
}

// migrate applies every project migration to database name and closes its
// sessions, as cloning a template requires.
func (s *server) migrate(ctx context.Context, name string) error {
	db, err := database.Open(ctx, s.dsnFor(name))
	if err != nil {
		return err
	}
	_, err = migrator.Up(ctx, db, io.Discard)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrating the template database: %w", err)
	}
	return nil
}

func (s *server) createDatabase(ctx context.Context, name, template string) error {
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() +
		" TEMPLATE " + pgx.Identifier{template}.Sanitize()
	if template == "template0" {
		sql += " ENCODING 'UTF8'"
	}
	if _, err := s.admin.Exec(ctx, sql); err != nil {
		return fmt.Errorf("creating database %s: %w", name, err)
	}
	return nil
}

func (s *server) dropDatabase(ctx context.Context, name string) error {
	sql := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize()
	if s.force {
		sql += " WITH (FORCE)"
	}
	if _, err := s.admin.Exec(ctx, sql); err != nil {
		return fmt.Errorf("dropping database %s: %w", name, err)
	}
	return nil
}
