package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
)

// Scratch databases are named scratchPrefix<pid>_<n>. While its owner runs,
// the owner keeps a session open whose application_name is scratchApp
// followed by the database's name: pg_stat_activity shows it to every user
// of the server, and the server ends it when the owner dies, however it
// dies. A scratch database with no such session and nobody connected to it
// is a leftover (of a `kill -9`, a lost connection, a power cut), and the
// next makemigrations drops it.
const (
	scratchPrefix = "solarview_plan_"
	scratchApp    = "solarview scratch "
)

// dropTimeout bounds the drop of a scratch database after the command's
// context is gone (Ctrl-C): the drop must still happen, but not hang.
const dropTimeout = 30 * time.Second

// openScratch creates an empty database for planning on the server
// solarview uses (--database-url's, or the embedded one), after dropping the
// leftovers of earlier runs, and returns a function that drops it. The
// caller must call that function on every path; Main turns Ctrl-C into a
// cancelled context precisely so that deferred calls like it run.
func openScratch(ctx context.Context, env *Env) (*bun.DB, func(), error) {
	adminDSN := env.DatabaseURL
	dsnFor := func(name string) (string, error) { return withDatabase(env.DatabaseURL, name) }
	if adminDSN == "" {
		cluster, err := env.Cluster()
		if err != nil {
			return nil, nil, err
		}
		if err := cluster.Start(ctx); err != nil {
			return nil, nil, err
		}
		adminDSN = cluster.DSN("postgres")
		dsnFor = func(name string) (string, error) { return cluster.DSN(name), nil }
	}
	admin, err := database.Open(ctx, adminDSN)
	if err != nil {
		return nil, nil, err
	}
	// One pinned session: it carries the owner mark for the whole run.
	owner, err := admin.Conn(ctx)
	if err != nil {
		admin.Close()
		return nil, nil, err
	}
	closeAdmin := func() { owner.Close(); admin.Close() }
	dropLeftovers(ctx, owner, env.Stderr)

	name := fmt.Sprintf("%s%d_%d", scratchPrefix, os.Getpid(), time.Now().UnixNano()%1_000_000)
	if _, err := owner.ExecContext(ctx, "SELECT set_config('application_name', ?, false)", scratchApp+name); err != nil {
		closeAdmin()
		return nil, nil, fmt.Errorf("preparing the scratch database: %w", err)
	}
	if _, err := owner.ExecContext(ctx, "CREATE DATABASE ? ENCODING 'UTF8' TEMPLATE template0", bun.Ident(name)); err != nil {
		if ctx.Err() != nil {
			// Interrupted: the server may have created the database before
			// the cancel reached it. The owner session may be gone with the
			// cancel, so drop it through another session of the pool.
			dctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
			_, _ = admin.ExecContext(dctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name))
			cancel()
			closeAdmin()
			return nil, nil, ctx.Err()
		}
		closeAdmin()
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" { // insufficient_privilege
			return nil, nil, fmt.Errorf("creating a scratch database to plan the views: the database user needs CREATEDB (%s)", pgErr.Message)
		}
		return nil, nil, fmt.Errorf("creating a scratch database to plan the views: %w", err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		if _, err := owner.ExecContext(dctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name)); err != nil {
			fmt.Fprintf(env.Stderr, "note: could not drop the scratch database %s (the next makemigrations will): %v\n", name, err)
		}
		closeAdmin()
	}
	dsn, err := dsnFor(name)
	if err != nil {
		drop()
		return nil, nil, err
	}
	db, err := database.Open(ctx, dsn)
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

// dropLeftovers drops the scratch databases whose owner is gone (see
// scratchPrefix) and says so on w. It is best effort: a database it may not
// drop (another user's) is left alone, silently.
func dropLeftovers(ctx context.Context, conn bun.Conn, w io.Writer) {
	var leftovers []string
	err := conn.NewSelect().ColumnExpr("d.datname").TableExpr("pg_database AS d").
		Where("starts_with(d.datname, ?)", scratchPrefix).
		Where("NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a WHERE a.datname = d.datname OR a.application_name = ? || d.datname)", scratchApp).
		OrderExpr("d.datname").
		Scan(ctx, &leftovers)
	if err != nil {
		return
	}
	for _, name := range leftovers {
		// Without FORCE: should anyone have connected since, the drop fails
		// and the database stays.
		if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS ?", bun.Ident(name)); err == nil {
			fmt.Fprintf(w, "dropped the scratch database %s left by an earlier makemigrations that did not finish\n", name)
		}
	}
}
