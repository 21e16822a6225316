package commands

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/uptrace/bun"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/internal/pgserver"
	"github.com/solarview/solarview/views"
)

const envKey = "solarview.env"

// MainDatabase is the embedded server's database for solarview's data.
const MainDatabase = "solarview"

// Env is what every command shares: where output goes and how to reach the
// database. Connections are opened lazily, so commands that need no database
// (check, sqlview) never start the embedded server.
type Env struct {
	// DatabaseURL is --database-url or DATABASE_URL; empty selects the
	// embedded server.
	DatabaseURL string
	// DBName is --db or SOLARVIEW_DB: the embedded server's database the
	// commands use (default [MainDatabase]). --database-url wins over it.
	DBName string
	// Stdout escapes terminal control characters (see names.SafeWriter);
	// RawStdout is the writer underneath, for child processes such as psql
	// that must see the terminal itself.
	Stdout    io.Writer
	RawStdout io.Writer
	Stderr    io.Writer
	// Stdin is what `import -` reads: the cli.App's Reader, standard input
	// unless a test gives its own.
	Stdin io.Reader
	// Views gives the view definitions that makemigrations, check, sqlview
	// and refresh work on: views.All, the registry, unless a test gives
	// views of its own (and so needs no global to swap).
	Views func() []views.View
	// RegisterErrors gives the refused views.Register calls: views.Errors,
	// unless a test gives its own.
	RegisterErrors func() []*views.RegisterError

	// needSchema is set for commands that use solarview's tables (see
	// argSpec.schema): DB then refuses a database with pending migrations.
	needSchema bool
	// argv0 is how solarview was invoked (Main's args[0]), for commands
	// that print commands to run next; args is the whole command line.
	argv0 string
	args  []string

	cluster *pgserver.Cluster
	open    []*bun.DB
	main    *bun.DB
}

func envOf(c *cli.Context) *Env { return envOfApp(c.App) }

// envOfApp is the Env that App gave app.
func envOfApp(app *cli.App) *Env { return app.Metadata[envKey].(*Env) }

// DB returns the connection to solarview's database: --database-url when
// given, else the embedded server's database --db (default [MainDatabase],
// started, and created, on first use). For commands that use solarview's
// tables it first checks that no migration is pending (see [Env.checkSchema]).
func (e *Env) DB(ctx context.Context) (*bun.DB, error) {
	if e.main != nil {
		return e.main, nil
	}
	db, err := e.OpenDatabase(ctx, e.dbName())
	if err != nil {
		return nil, err
	}
	if e.needSchema {
		if err := e.checkSchema(ctx, db); err != nil {
			return nil, err
		}
	}
	e.main = db
	return db, nil
}

// dbName is the embedded database the commands use.
func (e *Env) dbName() string {
	if e.DBName != "" {
		return e.DBName
	}
	return MainDatabase
}

// OpenDatabase connects to the embedded server's database name. Only
// [MainDatabase] is created when missing: any other name must exist, so a
// typo in --db or `db psql NAME` never leaves a new database behind. With
// --database-url set, that URL is used whatever name is.
func (e *Env) OpenDatabase(ctx context.Context, name string) (*bun.DB, error) {
	return e.openDatabase(ctx, name, name == MainDatabase)
}

func (e *Env) openDatabase(ctx context.Context, name string, create bool) (*bun.DB, error) {
	dsn := e.DatabaseURL
	if dsn == "" {
		var err error
		if dsn, err = e.embeddedDSN(ctx, name, create); err != nil {
			return nil, err
		}
	}
	return e.openDSN(ctx, dsn)
}

// openDSN connects to dsn; Close closes the connection.
func (e *Env) openDSN(ctx context.Context, dsn string) (*bun.DB, error) {
	db, err := database.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	e.open = append(e.open, db)
	return db, nil
}

// embeddedDSN starts the embedded server and returns the DSN of its database
// name, creating the database if create is set and refusing a missing one
// otherwise.
func (e *Env) embeddedDSN(ctx context.Context, name string, create bool) (string, error) {
	cluster, err := e.Cluster()
	if err != nil {
		return "", err
	}
	if err := cluster.Start(ctx); err != nil {
		return "", err
	}
	if create {
		if err := cluster.EnsureDatabase(ctx, name); err != nil {
			return "", err
		}
		return cluster.DSN(name), nil
	}
	if err := databaseExists(ctx, cluster, name); err != nil {
		return "", err
	}
	return cluster.DSN(name), nil
}

// embeddedSettings are the embedded server's settings that differ from
// PostgreSQL's defaults. JIT compilation is off for the reason
// database.Open turns it off in solarview's own sessions: on summary it
// costs a second a query once a database holds a few dozen sites. Set on
// the server, it also spares the queries people run in `db psql`.
var embeddedSettings = map[string]string{"jit": "off"}

// Cluster returns the embedded server (not started).
func (e *Env) Cluster() (*pgserver.Cluster, error) {
	if e.cluster != nil {
		return e.cluster, nil
	}
	c, err := pgserver.New(pgserver.Options{Log: e.Stderr, Settings: embeddedSettings})
	if err != nil {
		return nil, err
	}
	e.cluster = c
	return c, nil
}

// Close closes every connection the commands opened.
func (e *Env) Close() error {
	var errs []error
	for _, db := range e.open {
		if err := db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing database: %w", err))
		}
	}
	e.open, e.main = nil, nil
	if sw, ok := e.Stdout.(*names.SafeWriter); ok {
		if err := sw.Flush(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
