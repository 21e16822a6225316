// Package database opens solarview's connection to PostgreSQL: pgx v5 through
// database/sql, with Bun's PostgreSQL dialect on top.
//
// solarview stores text and interprets meter files as UTF-8, so [Open] refuses
// a database whose server encoding is anything else rather than corrupting
// data later.
package database

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// connectTimeout bounds how long an unreachable server can keep a command
// waiting when the URL does not set connect_timeout itself.
const connectTimeout = 10 * time.Second

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and checks that it answers and is UTF8.
//
// Its sessions run with JIT compilation off (a URL that sets jit, as a
// parameter or in options, keeps its own). PostgreSQL compiles a query
// when the plan's estimated cost passes jit_above_cost, and summary's
// estimate grows with the number of sites much faster than its real cost: with 100 site-years stored, one site's report
// query is estimated at over a million and the server spends about a second
// compiling a query that then runs in 40 ms. solarview's queries are many
// short ones, which JIT never pays back.
//
// Errors never include the DSN, which may hold a password.
func Open(ctx context.Context, dsn string) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("invalid database URL: cannot parse it as a PostgreSQL connection string")
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	cfg.BuildFrontend = bufferedFrontend
	if _, set := cfg.RuntimeParams["jit"]; !set && !strings.Contains(cfg.RuntimeParams["options"], "jit") {
		cfg.RuntimeParams["jit"] = "off"
	}
	sqldb := stdlib.OpenDB(*cfg)
	db := bun.NewDB(sqldb, pgdialect.New())

	var encoding string
	if err := db.QueryRowContext(ctx, "SHOW server_encoding").Scan(&encoding); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot connect to database %q on %s: %s", cfg.Database, describeHost(cfg), oneLine(err))
	}
	if encoding != "UTF8" {
		db.Close()
		return nil, fmt.Errorf("database %q uses encoding %s; solarview needs a UTF8 database", cfg.Database, encoding)
	}
	return db, nil
}

// readBuffer is how much of the server's output one read may take from the
// socket. pgx reads at most 8 KB at a time, a system call for every hundred
// or so rows of a report's stream; with a larger buffer one call takes
// whatever the server has sent so far.
const readBuffer = 256 << 10

// bufferedFrontend is pgx's protocol reader over a larger read buffer.
func bufferedFrontend(r io.Reader, w io.Writer) *pgproto3.Frontend {
	return pgproto3.NewFrontend(bufio.NewReaderSize(r, readBuffer), w)
}

// oneLine flattens pgx's multi-line connection errors (one line per host
// address tried) into one line, dropping repeats, so the CLI's error stays
// one line.
func oneLine(err error) string {
	var parts []string
	seen := map[string]bool{}
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		parts = append(parts, line)
	}
	return strings.Join(parts, " ")
}

// describeHost names the server for error messages without credentials.
func describeHost(cfg *pgx.ConnConfig) string {
	if len(cfg.Host) > 0 && cfg.Host[0] == '/' {
		return "socket directory " + cfg.Host
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}
