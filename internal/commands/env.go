package commands

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/uptrace/bun"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/pgserver"
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
	Stdout      io.Writer
	Stderr      io.Writer

	cluster *pgserver.Cluster
	open    []*bun.DB
	main    *bun.DB
}

func envOf(c *cli.Context) *Env {
	return c.App.Metadata[envKey].(*Env)
}

// DB returns the connection to solarview's database: --database-url when
// given, else the embedded server's main database (started, and created, on
// first use).
func (e *Env) DB(ctx context.Context) (*bun.DB, error) {
	if e.main != nil {
		return e.main, nil
	}
	db, err := e.OpenDatabase(ctx, MainDatabase)
	if err != nil {
		return nil, err
	}
	e.main = db
	return db, nil
}

// OpenDatabase connects to the embedded server's database name, creating
// it if needed. With --database-url set, that URL is used whatever name is.
func (e *Env) OpenDatabase(ctx context.Context, name string) (*bun.DB, error) {
	dsn := e.DatabaseURL
	if dsn == "" {
		cluster, err := e.Cluster()
		if err != nil {
			return nil, err
		}
		if err := cluster.Start(ctx); err != nil {
			return nil, err
		}
		if err := cluster.EnsureDatabase(ctx, name); err != nil {
			return nil, err
		}
		dsn = cluster.DSN(name)
	}
	db, err := database.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	e.open = append(e.open, db)
	return db, nil
}

// Cluster returns the embedded server (not started).
func (e *Env) Cluster() (*pgserver.Cluster, error) {
	if e.cluster != nil {
		return e.cluster, nil
	}
	c, err := pgserver.New(pgserver.Options{Log: e.Stderr})
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
	return errors.Join(errs...)
}
