package report

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/battery"
)

// span is a half-open range of instants [From, To); a zero bound is open.
type span struct{ From, To time.Time }

// summaryQuery is the one query a report sends for its data: the site's
// grid flows in time order. Only the columns the battery and the pricing
// need travel.
func summaryQuery(db *bun.DB, siteID int64, s span) (string, []any, error) {
	q := db.NewSelect().
		TableExpr("summary AS s").
		ColumnExpr("s.?, s.?, s.?, s.controlled_load", bun.Ident("timestamp"), bun.Ident("import"), bun.Ident("export")).
		Where("s.site_id = ?", siteID).
		OrderExpr("s.? ASC", bun.Ident("timestamp"))
	if !s.From.IsZero() {
		q = q.Where("s.? >= ?", bun.Ident("timestamp"), s.From)
	}
	if !s.To.IsZero() {
		q = q.Where("s.? < ?", bun.Ident("timestamp"), s.To)
	}
	// Bun renders the values into the text, with its own quoting, so the
	// same text serves pgx and database/sql alike.
	b, err := q.AppendQuery(db.QueryGen(), nil)
	if err != nil {
		return "", nil, fmt.Errorf("building the summary query: %w", err)
	}
	return string(b), nil, nil
}

// streamSummary runs the summary query for a site and hands the rows to fn
// as a [battery.Source], NULL energies as NaN (missing). The rows stream:
// nothing is collected, so memory does not depend on the length of the
// data. fn must consume the source before returning.
//
// It talks pgx directly under database/sql when it can: rows then arrive in
// PostgreSQL's binary format and decode without parsing text, which is
// most of what reading the data costs on the client.
func streamSummary(ctx context.Context, db *bun.DB, siteID int64, s span, fn func(battery.Source) error) error {
	query, args, err := summaryQuery(db, siteID, s)
	if err != nil {
		return err
	}
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
		rows, err := pc.Conn().Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("reading summary: %w", err)
		}
		defer rows.Close()
		pf := newPrefetch(newPgxSource(rows))
		defer pf.close()
		return fn(pf)
	})
	if err != nil || usedPgx {
		return err
	}
	// Another driver: plain database/sql.
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
