package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/pgserver"
)

// dbCommand manages the embedded PostgreSQL server. start, stop and status
// act on it even when --database-url is set (with a note saying so); url and
// psql follow --database-url like every other command.
func dbCommand() *cli.Command {
	return &cli.Command{
		Name:  "db",
		Usage: "manage the embedded PostgreSQL server",
		Description: "Without --database-url / DATABASE_URL, solarview keeps its data in a private PostgreSQL\n" +
			"cluster in $SOLARVIEW_DATA_DIR (default $XDG_DATA_HOME/solarview/postgres), listening only on a\n" +
			"Unix socket. Any command starts it on first use; it keeps running between commands.\n" +
			"As root the server runs as the postgres user, by default in /var/lib/solarview/postgres.",
		Subcommands: []*cli.Command{
			{
				Name:   "start",
				Usage:  "initialise (first time) and start the embedded server",
				Action: leaf(dbServerOptsFrom, dbStart),
			},
			{
				Name:   "stop",
				Usage:  "stop the embedded server (fast shutdown: open sessions are disconnected)",
				Action: leaf(dbServerOptsFrom, dbStop),
			},
			{
				Name:   "status",
				Usage:  "show whether the embedded server runs, its pid, version and directories",
				Action: leaf(dbServerOptsFrom, dbStatus),
			},
			{
				Name:      "url",
				Usage:     "print the connection URL of database DB (default: --db, else " + MainDatabase + "), starting the server (and creating " + MainDatabase + " if needed)",
				ArgsUsage: "[DB]",
				Action:    leaf(dbURLOptsFrom, dbURL),
			},
			{
				Name:      "psql",
				Usage:     "open psql on database DB (default: --db, else " + MainDatabase + "); further arguments go to psql",
				ArgsUsage: "[DB] [PSQL-ARGS...]",
				// Everything after DB belongs to psql, flags included.
				SkipFlagParsing: true,
				Action:          leaf(dbPsqlOptsFrom, dbPsql),
			},
		},
	}
}

// embeddedOnly notes on stderr that a db subcommand ignores --database-url,
// so nobody believes they stopped or started the server they configured.
func embeddedOnly(env *Env, sub string) {
	if env.DatabaseURL != "" {
		fmt.Fprintf(env.Stderr, "note: `db %s` manages only the embedded PostgreSQL; --database-url / DATABASE_URL is set, "+
			"so other commands use that server instead\n", sub)
	}
}

// dbServerOpts are the options of db start, stop and status: none.
type dbServerOpts struct{}

func dbServerOptsFrom(*cli.Context) *dbServerOpts { return &dbServerOpts{} }

func (*dbServerOpts) Validate() error { return nil }

func dbStart(ctx context.Context, env *Env, _ *dbServerOpts) error {
	embeddedOnly(env, "start")
	cluster, err := env.Cluster()
	if err != nil {
		return err
	}
	if err := cluster.Start(ctx); err != nil {
		return err
	}
	st, err := cluster.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Embedded PostgreSQL %s is running (pid %d), socket in %s.\n", st.Version, st.PID, st.SocketDir)
	return nil
}

func dbStop(ctx context.Context, env *Env, _ *dbServerOpts) error {
	embeddedOnly(env, "stop")
	cluster, err := env.Cluster()
	if err != nil {
		return err
	}
	st, err := cluster.Status(ctx)
	if err != nil {
		return err
	}
	if !st.Running {
		fmt.Fprintln(env.Stdout, "Embedded PostgreSQL is not running.")
		return nil
	}
	if err := cluster.Stop(ctx); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Stopped embedded PostgreSQL (pid %d).\n", st.PID)
	return nil
}

func dbStatus(ctx context.Context, env *Env, _ *dbServerOpts) error {
	embeddedOnly(env, "status")
	cluster, err := env.Cluster()
	if err != nil {
		return err
	}
	st, err := cluster.Status(ctx)
	if err != nil {
		return err
	}
	state := "stopped"
	switch {
	case st.Running:
		state = fmt.Sprintf("running (pid %d)", st.PID)
	case !initialised(st.DataDir):
		state = "not initialised (any command that needs the database creates it)"
	}
	w := env.Stdout
	fmt.Fprintf(w, "Embedded PostgreSQL: %s\n", state)
	fmt.Fprintf(w, "  version:    %s\n", st.Version)
	fmt.Fprintf(w, "  data dir:   %s\n", st.DataDir)
	fmt.Fprintf(w, "  socket dir: %s\n", st.SocketDir)
	fmt.Fprintf(w, "  log:        %s\n", cluster.LogPath())
	fmt.Fprintf(w, "  binaries:   %s\n", cluster.BinDir())
	return nil
}

func initialised(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, "PG_VERSION"))
	return err == nil
}

// dbURLOpts are db url's options: the database named, if any.
type dbURLOpts struct {
	// DB is the database on the embedded server; "" for --db's.
	DB string
}

func dbURLOptsFrom(c *cli.Context) *dbURLOpts { return &dbURLOpts{DB: c.Args().First()} }

func (*dbURLOpts) Validate() error { return nil }

// dbURL prints a DSN that works right away: it starts the server, and
// creates the main database if needed, since a URL for a database that does
// not exist yet would only make psql (or the user's tool) fail. Any other
// database must exist: a typo creates nothing. Progress goes to stderr, so
// `psql "$(solarview db url)"` gets the URL alone.
func dbURL(ctx context.Context, env *Env, opts *dbURLOpts) error {
	dsn, err := dbTarget(ctx, env, opts.DB, "url")
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, dsn)
	return nil
}

// dbTarget returns the DSN of database name ("" for --db's, by default the
// main one) on the embedded server, started; only the main database is
// created if missing. With --database-url it returns that URL, and refuses
// a name.
func dbTarget(ctx context.Context, env *Env, name, sub string) (string, error) {
	if env.DatabaseURL != "" {
		if name != "" {
			return "", fmt.Errorf("db %s DB names a database on the embedded PostgreSQL, but --database-url / DATABASE_URL is set; "+
				"unset it, or leave out DB to use that URL", sub)
		}
		return env.DatabaseURL, nil
	}
	if name == "" {
		name = env.dbName()
	}
	return env.embeddedDSN(ctx, name, name == MainDatabase)
}

// dbPsqlOpts are db psql's options: its command line is taken raw (flags
// included), so a first argument that is no flag names the database and
// the rest goes to psql.
type dbPsqlOpts struct {
	// DB is the database on the embedded server; "" for --db's.
	DB string
	// PsqlArgs are passed to psql as they are.
	PsqlArgs []string
}

func dbPsqlOptsFrom(c *cli.Context) *dbPsqlOpts {
	opts := &dbPsqlOpts{PsqlArgs: c.Args().Slice()}
	if len(opts.PsqlArgs) > 0 && !strings.HasPrefix(opts.PsqlArgs[0], "-") {
		opts.DB, opts.PsqlArgs = opts.PsqlArgs[0], opts.PsqlArgs[1:]
	}
	return opts
}

func (*dbPsqlOpts) Validate() error { return nil }

// dbPsql runs psql with the terminal attached. It is not tied to the
// command's context: Ctrl-C belongs to psql (which cancels the running
// query), not to solarview. The password, if the URL has one, reaches psql
// through PGPASSWORD (see splitPassword), never its command line, which
// every local user can read in ps.
func dbPsql(ctx context.Context, env *Env, opts *dbPsqlOpts) error {
	dsn, err := dbTarget(ctx, env, opts.DB, "psql")
	if err != nil {
		return err
	}
	psql, err := findPsql(env)
	if err != nil {
		return err
	}
	conninfo, password, err := splitPassword(dsn)
	if err != nil {
		return err
	}
	cmd := exec.Command(psql, append([]string{conninfo}, opts.PsqlArgs...)...)
	cmd.Env = psqlEnv(password)
	// psql gets the real stdout: it must see a terminal to page and edit.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, env.RawStdout, env.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitCode(exitErr.ExitCode(), "") // psql already said why
	}
	if err != nil {
		return fmt.Errorf("running psql: %w", err)
	}
	return nil
}

// findPsql prefers the psql beside the embedded server's binaries (same
// version), then PATH.
func findPsql(env *Env) (string, error) {
	binDir := ""
	if cluster, err := env.Cluster(); err == nil {
		binDir = cluster.BinDir()
	}
	if p, err := pgserver.PSQL(binDir); err == nil {
		return p, nil
	}
	return "", errors.New("psql not found; install the PostgreSQL client: apt-get install postgresql-client (Debian/Ubuntu), brew install libpq (macOS)")
}
