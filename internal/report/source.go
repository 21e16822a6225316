package report

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/solarview/solarview/internal/battery"
)

// span is a half-open range of instants [From, To); a zero bound is open.
type span struct{ From, To time.Time }

// summaryQuery is the query a report sends for its data: the site's grid
// flows. Only the columns the battery and the pricing need travel. With
// ordered, PostgreSQL sorts the rows by time; without, they come as
// summary's plan gives them, for mergeRuns to order.
//
// The site and the span are parameters ($1, …), not literals: the text is
// then the same for every site, so pgx prepares it once per connection and
// the read (readSummary) has PostgreSQL keep one generic plan for it.
// Planning summary anew took 2–6 ms a site, a tenth of reading a
// site-year.
func summaryQuery(db *bun.DB, siteID int64, s span, ordered bool) (string, []any, error) {
	ts := bun.Ident("timestamp")
	args := []any{siteID}
	param := func(v any) schema.QueryAppender {
		args = append(args, v)
		return bun.Safe("$" + strconv.Itoa(len(args)))
	}
	q := db.NewSelect().
		TableExpr("summary AS s").
		ColumnExpr("s.?, s.?, s.?, s.controlled_load", ts, bun.Ident("import"), bun.Ident("export")).
		Where("s.site_id = ?", bun.Safe("$1"))
	if !s.From.IsZero() {
		q = q.Where("s.? >= ?", ts, param(s.From))
	}
	if !s.To.IsZero() {
		q = q.Where("s.? < ?", ts, param(s.To))
	}
	if ordered {
		q = q.OrderExpr("s.? ASC", ts)
	}
	b, err := q.AppendQuery(db.QueryGen(), nil)
	if err != nil {
		return "", nil, fmt.Errorf("building the summary query: %w", err)
	}
	return string(b), args, nil
}

// streamSummary runs the summary query for a site and hands the rows, in
// time order, to fn as a [battery.Source], NULL energies as NaN (missing).
// The rows stream: beyond mergeRuns' fixed buffer nothing is collected, so
// memory does not depend on the length of the data. fn must consume the
// source before returning.
//
// The rows are first read without ORDER BY and put in order by mergeRuns,
// which spares PostgreSQL the sort. Should they come in an order it cannot
// mend, fn is called again, from the start, over the rows sorted by
// PostgreSQL: fn must begin afresh on each call.
//
// With inline, the rows are read on the calling goroutine; otherwise a
// goroutine of their own reads them ahead of fn (prefetch). The first
// suits running one report per core (`--all-sites`), the second one
// report alone, which then has a core for each.
func streamSummary(ctx context.Context, db *bun.DB, siteID int64, s span, inline bool, fn func(battery.Source) error) error {
	err := readSummary(ctx, db, siteID, s, false, inline, fn)
	if errors.Is(err, errOutOfOrder) {
		err = readSummary(ctx, db, siteID, s, true, inline, fn)
	}
	return err
}

// readSummary is one pass of streamSummary, with or without ORDER BY.
//
// It talks pgx directly under database/sql when it can: rows then arrive in
// PostgreSQL's binary format and decode without parsing text, which is
// most of what reading the data costs on the client.
func readSummary(ctx context.Context, db *bun.DB, siteID int64, s span, ordered, inline bool, fn func(battery.Source) error) error {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("reading summary: %w", err)
	}
	defer conn.Close()
	var usedPgx bool
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return nil
		}
		usedPgx = true
		query, args, err := summaryQuery(db, siteID, s, ordered)
		if err != nil {
			return err
		}
		// Abandoning the rows cancels qctx, so that pgx drops the
		// connection rather than read the rest of the result.
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if !ordered {
			// Grouping by sorting rather than hashing gives summary's days
			// in order (views/summary.go), which is what lets mergeRuns
			// order the rows in passing. The generic plan is the one
			// PostgreSQL settles on for this query after five custom
			// plans of 2–6 ms each (sites differ in nothing the planner
			// sees); forcing it plans the query once per connection,
			// which is most of what `--all-sites` over a few dozen sites
			// plans. SET LOCAL keeps the settings to this read-only
			// transaction; the connection goes back to the pool as it
			// came.
			if _, err := pc.Conn().Exec(qctx, "BEGIN READ ONLY; SET LOCAL enable_hashagg = off; SET LOCAL plan_cache_mode = force_generic_plan"); err != nil {
				return fmt.Errorf("reading summary: %w", err)
			}
			defer func() {
				if !pc.Conn().IsClosed() {
					_, _ = pc.Conn().Exec(ctx, "ROLLBACK")
				}
			}()
		}
		rows, err := pc.Conn().Query(qctx, query, args...)
		if err != nil {
			return fmt.Errorf("reading summary: %w", err)
		}
		defer rows.Close()
		var src battery.Source = newPgxSource(rows)
		if !ordered {
			src = newMergeRuns(src, mergeHold)
		}
		if !inline {
			pf := newPrefetch(src)
			defer pf.close()
			src = pf
		}
		err = fn(src)
		if errors.Is(err, errOutOfOrder) {
			cancel()
		}
		return err
	})
	if err != nil || usedPgx {
		return err
	}
	// Another driver: plain database/sql, with PostgreSQL sorting.
	query, args, err := summaryQuery(db, siteID, s, true)
	if err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reading summary: %w", err)
	}
	defer rows.Close()
	return fn(&sqlSource{rows: rows})
}

// pgxSource adapts pgx rows to [battery.Source]. When the four columns
// arrive in binary as timestamptz and float8 (pgx asks for binary), it
// decodes them itself: eight bytes each, no scan plans, which halves what
// reading costs the client.
type pgxSource struct {
	rows         pgx.Rows
	raw          bool
	imp, exp, cl pgtype.Float8
	ts           time.Time
	err          error
}

func newPgxSource(rows pgx.Rows) *pgxSource {
	s := &pgxSource{rows: rows}
	fd := rows.FieldDescriptions()
	s.raw = len(fd) == 4 &&
		fd[0].Format == pgx.BinaryFormatCode && fd[0].DataTypeOID == pgtype.TimestamptzOID
	for _, f := range fd[min(1, len(fd)):] {
		s.raw = s.raw && f.Format == pgx.BinaryFormatCode && f.DataTypeOID == pgtype.Float8OID
	}
	return s
}

// y2k is PostgreSQL's epoch for binary timestamps, in Unix microseconds.
const y2k = 946_684_800 * 1_000_000

func (s *pgxSource) Next(iv *battery.Interval) bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	if !s.raw {
		if err := s.rows.Scan(&s.ts, &s.imp, &s.exp, &s.cl); err != nil {
			s.err = fmt.Errorf("reading summary: %w", err)
			return false
		}
		*iv = battery.Interval{Start: s.ts, Import: orNaN(s.imp), Export: orNaN(s.exp), ControlledLoad: orNaN(s.cl)}
		return true
	}
	vals := s.rows.RawValues()
	ts := vals[0]
	if len(ts) != 8 {
		s.err = errors.New("reading summary: a row without a timestamp")
		return false
	}
	us := int64(binary.BigEndian.Uint64(ts))
	if us == math.MaxInt64 || us == math.MinInt64 {
		s.err = errors.New("reading summary: an infinite timestamp")
		return false
	}
	us += y2k
	*iv = battery.Interval{
		Start:  time.Unix(us/1_000_000, us%1_000_000*1000),
		Import: rawFloat(vals[1]),
		Export: rawFloat(vals[2]),
		// NULL at a site without a controlled-load channel: NaN, as the
		// battery and the pricing expect.
		ControlledLoad: rawFloat(vals[3]),
	}
	return true
}

// rawFloat decodes a binary float8; NULL (nil) is NaN, missing.
func rawFloat(b []byte) float64 {
	if len(b) != 8 {
		return math.NaN()
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b))
}

func (s *pgxSource) Err() error {
	if s.err != nil {
		return s.err
	}
	if err := s.rows.Err(); err != nil {
		return fmt.Errorf("reading summary: %w", err)
	}
	return nil
}

func orNaN(f pgtype.Float8) float64 {
	if !f.Valid {
		return math.NaN()
	}
	return f.Float64
}

// sqlSource adapts database/sql rows to [battery.Source].
type sqlSource struct {
	rows         *sql.Rows
	imp, exp, cl sql.NullFloat64
	ts           time.Time
	err          error
}

func (s *sqlSource) Next(iv *battery.Interval) bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	if err := s.rows.Scan(&s.ts, &s.imp, &s.exp, &s.cl); err != nil {
		s.err = fmt.Errorf("reading summary: %w", err)
		return false
	}
	iv.Start, iv.Duration = s.ts, 0
	iv.Import, iv.Export, iv.ControlledLoad = math.NaN(), math.NaN(), math.NaN()
	if s.imp.Valid {
		iv.Import = s.imp.Float64
	}
	if s.exp.Valid {
		iv.Export = s.exp.Float64
	}
	if s.cl.Valid {
		iv.ControlledLoad = s.cl.Float64
	}
	return true
}

func (s *sqlSource) Err() error {
	if s.err != nil {
		return s.err
	}
	if err := s.rows.Err(); err != nil {
		return fmt.Errorf("reading summary: %w", err)
	}
	return nil
}
