package ingest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// Options are the choices of `solarview import` for one file.
type Options struct {
	// Format of the file; FormatAuto (the default) detects it.
	Format Format
	// Site names the site of a CSV file (required) or of an Ausgrid file
	// (default "ausgrid-<customer>"; with several customers, the customer
	// number is appended to it). For NEM12 files it is optional: the file's
	// one NMI is then attached to that site; without it each NMI finds the
	// site carrying it, or a new site named after it.
	Site string
	// TimeZone (IANA) reads naive CSV and Ausgrid timestamps and is the zone
	// of sites the import creates. Default: the site's own zone when it
	// exists, else DefaultTimeZone.
	TimeZone string
	// Unit of CSV values; default kWh.
	Unit Unit
	// Progress, when set, is told how the import advances.
	Progress Progress
	// Stdin is read for the path "-"; default os.Stdin.
	Stdin io.Reader
}

// Result describes one imported file, for the summary a person reads.
type Result struct {
	File   string
	Format Format
	Sites  []SiteResult
	Series []SeriesResult
	// Rows is the number of rows the file holds for the database. Zero
	// means the file, though valid, held nothing to import (Notes say what
	// was skipped) and the database was not touched.
	Rows int64
	// Inserted counts new rows; Replaced rows that existed with other
	// values (or other interval lengths over the same time) and were
	// overwritten; Unchanged rows already present with the same values.
	Inserted, Replaced, Unchanged int64
	// IntervalRows and NonActual count metered intervals, and those whose
	// quality is not A (substituted, estimated, final substituted, null).
	IntervalRows, NonActual int64
	// From and To bound the file's data: the first interval's start and
	// the last one's end.
	From, To time.Time
	// Location is the clock From and To are best shown in: NEM time for
	// NEM12, the reading zone otherwise.
	Location *time.Location
	Notes    []string
	// Method is "copy" when the rows went straight into the tables (nothing
	// overlapped), "merge" when they went through the staging table.
	Method  string
	Elapsed time.Duration
}

// SiteResult is a site the file wrote to.
type SiteResult struct {
	ID       int64
	Name     string
	TimeZone string
	Key      SiteKey
	Created  bool
}

// SeriesResult is one series of the file: a site's meter channel,
// generation or register.
type SeriesResult struct {
	Site      string
	Table     string
	Channel   string
	Direction string
	Rows      int64
	NonActual int64
	// Energy is the series' total in Wh; for a register its last reading.
	Energy   float64
	From, To time.Time
}

// Import loads one file into the database in a single transaction: either
// every row of the file is in the tables afterwards, or (on any error) none
// is and nothing else changed. The file is read more than once — once to
// validate it and learn its sites and time spans, then to load it — so its
// size never matters to memory; path "-" (standard input), pipes and devices
// are first spooled to a private temporary file. A valid file holding
// nothing to import returns a Result with Rows 0 and no error.
func Import(ctx context.Context, db *bun.DB, path string, opts Options) (*Result, error) {
	start := time.Now()
	// Errors name the file as the user gave it, so that file:line opens in
	// an editor.
	name := path
	if path == "-" {
		name = StdinName
	}
	path, cleanup, err := spoolInput(ctx, path, name, opts.Stdin)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res := &Result{File: name}
	format := opts.Format
	if format == "" {
		format = FormatAuto
	}
	if opts.TimeZone != "" {
		if err := checkZone(opts.TimeZone); err != nil {
			return nil, err
		}
	}
	if format == FormatAuto {
		var err error
		if format, err = detectFile(path, name); err != nil {
			return nil, err
		}
	}
	res.Format = format
	if format == FormatCSV && strings.TrimSpace(opts.Site) == "" {
		return nil, errors.New(name + ": CSV files carry no site identity: name the site with --site NAME")
	}

	// The zone for naive timestamps: --tz, else the named site's, else the
	// default.
	zone := opts.TimeZone
	if zone == "" && format != FormatNEM12 && opts.Site != "" {
		if err := db.NewSelect().Table("sites").Column("timezone").Where("name = ?", opts.Site).
			Scan(ctx, &zone); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("looking up site %q: %w", opts.Site, err)
		}
	}
	if zone == "" {
		zone = DefaultTimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", zone, err)
	}
	cfg := Config{Location: loc, Unit: opts.Unit}
	res.Location = loc
	if format == FormatNEM12 {
		res.Location = nemTime
	}

	// Pass 1: validate everything before touching the database.
	stats, keys, notes, err := check(path, name, format, cfg, opts.Progress)
	if err != nil {
		return nil, err
	}
	res.Notes = notes
	if stats.rows == 0 {
		// Valid, but nothing for the tables (a NEM12 file of reactive
		// channels only): not an error, and the database is left alone.
		res.Elapsed = time.Since(start)
		return res, nil
	}

	// Pass 2, in one transaction on one pgx connection.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		return pgx.BeginFunc(ctx, pc, func(tx pgx.Tx) error {
			l := &loader{ctx: ctx, tx: tx, path: path, name: name, format: format, cfg: cfg,
				opts: opts, zone: zone, stats: stats, keys: keys, res: res}
			return l.run()
		})
	})
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// detectFile detects the format of the file at path.
func detectFile(path, name string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3)
	}
	return Detect(br, name)
}

// checkZone refuses zone names PostgreSQL or Go would read differently.
func checkZone(zone string) error {
	if zone == "Local" || strings.TrimSpace(zone) != zone {
		return fmt.Errorf("unknown time zone %q: use an IANA name such as Australia/Sydney", zone)
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return fmt.Errorf("unknown time zone %q: use an IANA name such as Australia/Sydney", zone)
	}
	return nil
}

// check reads the file once, validating every row and summarising it.
func check(path, name string, format Format, cfg Config, progress Progress) (*fileStats, []SiteKey, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	cr := &countingReader{r: f, phase: "checking", total: fi.Size(), fn: progress}
	src, err := Open(cr, name, format, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	stats := newFileStats()
	for src.Next() {
		stats.add(src.Row())
	}
	if err := src.Err(); err != nil {
		return nil, nil, nil, err
	}
	return stats, src.Sites(), src.Notes(), nil
}

// loader is the second pass: sites, then rows, inside one transaction.
type loader struct {
	ctx    context.Context
	tx     pgx.Tx
	path   string
	name   string
	format Format
	cfg    Config
	opts   Options
	zone   string
	stats  *fileStats
	keys   []SiteKey
	siteID []int64
	res    *Result
}

func (l *loader) run() error {
	if err := l.resolveSites(); err != nil {
		return err
	}
	l.summarise()
	overlap, err := l.overlaps()
	if err != nil {
		return err
	}
	if err := l.warnMixedChannels(); err != nil {
		return err
	}
	if !overlap {
		ok, err := l.copyDirect()
		if err != nil || ok {
			return err
		}
	}
	return l.merge()
}

// resolveSites finds or creates the site of every SiteKey of the file.
func (l *loader) resolveSites() error {
	site := strings.TrimSpace(l.opts.Site)
	for _, key := range l.keys {
		var s SiteResult
		var err error
		switch {
		case l.format == FormatNEM12 && site != "":
			if len(l.keys) > 1 {
				return fmt.Errorf("%s holds %d NMIs; --site can name the site of one NMI only (leave it out to get a site per NMI)", l.name, len(l.keys))
			}
			s, err = l.siteByNameWithNMI(site, key.NMI)
		case l.format == FormatNEM12:
			s, err = l.siteByNMI(key.NMI)
		case l.format == FormatAusgrid:
			n := "ausgrid-" + key.Customer
			if site != "" {
				n = site
				if len(l.keys) > 1 {
					n = site + "-" + key.Customer
				}
			}
			s, err = l.siteByName(n)
		default:
			s, err = l.siteByName(site)
		}
		if err != nil {
			return err
		}
		s.Key = key
		l.siteID = append(l.siteID, s.ID)
		l.res.Sites = append(l.res.Sites, s)
	}
	return nil
}

func (l *loader) siteByName(name string) (SiteResult, error) {
	s := SiteResult{Name: name}
	err := l.tx.QueryRow(l.ctx, `INSERT INTO sites (name, timezone) VALUES ($1, $2)
		ON CONFLICT (name) DO NOTHING RETURNING id, timezone`, name, l.zone).Scan(&s.ID, &s.TimeZone)
	if err == nil {
		s.Created = true
		return s, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("creating site %q: %w", name, err)
	}
	err = l.tx.QueryRow(l.ctx, `SELECT id, timezone FROM sites WHERE name = $1`, name).Scan(&s.ID, &s.TimeZone)
	if err != nil {
		return s, fmt.Errorf("finding site %q: %w", name, err)
	}
	return s, nil
}

// siteByNMI finds the site carrying nmi, or creates one named after it. A
// site already named after the NMI but without one adopts it.
func (l *loader) siteByNMI(nmi string) (SiteResult, error) {
	var s SiteResult
	err := l.tx.QueryRow(l.ctx, `SELECT id, name, timezone FROM sites WHERE nmi = $1`, nmi).Scan(&s.ID, &s.Name, &s.TimeZone)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("finding the site of NMI %s: %w", nmi, err)
	}
	return l.siteByNameWithNMI(nmi, nmi)
}

// siteByNameWithNMI returns the site called name, created if missing, after
// making sure it carries nmi.
func (l *loader) siteByNameWithNMI(name, nmi string) (SiteResult, error) {
	if err := l.nmiFree(nmi, name); err != nil {
		return SiteResult{}, err
	}
	s, err := l.siteByName(name)
	if err != nil {
		return s, err
	}
	var cur *string
	if err := l.tx.QueryRow(l.ctx, `SELECT nmi FROM sites WHERE id = $1`, s.ID).Scan(&cur); err != nil {
		return s, err
	}
	switch {
	case cur == nil:
		if _, err := l.tx.Exec(l.ctx, `UPDATE sites SET nmi = $1 WHERE id = $2`, nmi, s.ID); err != nil {
			return s, fmt.Errorf("giving site %q NMI %s: %w", name, nmi, err)
		}
	case *cur != nmi:
		return s, fmt.Errorf("%s: site %q has NMI %s, but the file is for NMI %s", l.name, name, *cur, nmi)
	}
	return s, nil
}

func (l *loader) nmiFree(nmi, name string) error {
	var other string
	err := l.tx.QueryRow(l.ctx, `SELECT name FROM sites WHERE nmi = $1 AND name <> $2`, nmi, name).Scan(&other)
	if err == nil {
		return fmt.Errorf("%s: NMI %s belongs to site %q, not %q", l.name, nmi, other, name)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}

// summarise fills the result's per-series figures from the checking pass.
func (l *loader) summarise() {
	r := l.res
	for _, k := range l.stats.keys() {
		s := l.stats.series[k]
		r.Series = append(r.Series, SeriesResult{
			Site: r.Sites[k.site].Name, Table: k.kind.String(), Channel: k.channel, Direction: s.direction,
			Rows: s.rows, NonActual: s.nonActual, Energy: s.energy, From: s.from, To: s.to,
		})
		r.Rows += s.rows
		if k.kind == KindInterval {
			r.IntervalRows += s.rows
			r.NonActual += s.nonActual
		}
		if r.From.IsZero() || s.from.Before(r.From) {
			r.From = s.from
		}
		if s.to.After(r.To) {
			r.To = s.to
		}
	}
}

// maxOverlapLookback bounds how long before a file's first interval an
// existing interval can start and still overlap it: no meter interval is
// longer than a day.
const maxOverlapLookback = "1 day"

// overlaps reports whether any series of the file meets rows already in
// the database.
func (l *loader) overlaps() (bool, error) {
	for k, s := range l.stats.series {
		id := l.siteID[k.site]
		var q string
		args := []any{id, s.from, s.to}
		switch k.kind {
		case KindInterval:
			q = `SELECT EXISTS (SELECT 1 FROM meter_intervals WHERE site_id = $1 AND channel = $4
				AND "timestamp" >= $2::timestamptz - interval '` + maxOverlapLookback + `' AND "timestamp" < $3
				AND "timestamp" + duration > $2)`
			args = append(args, k.channel)
		case KindGeneration:
			q = `SELECT EXISTS (SELECT 1 FROM generation WHERE site_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3)`
		case KindImportRegister:
			q = `SELECT EXISTS (SELECT 1 FROM import_cumulative WHERE site_id = $1 AND "timestamp" >= $2 AND "timestamp" <= $3)`
		case KindExportRegister:
			q = `SELECT EXISTS (SELECT 1 FROM export_cumulative WHERE site_id = $1 AND "timestamp" >= $2 AND "timestamp" <= $3)`
		}
		var found bool
		if err := l.tx.QueryRow(l.ctx, q, args...).Scan(&found); err != nil {
			return false, fmt.Errorf("looking for existing data: %w", err)
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// warnMixedChannels notes when a site already has metered energy in the
// same direction from another channel over the file's span: the views add
// channels, so loading the same meter twice under two channel names (a
// NEM12 file and a CSV export, say) would count it twice.
func (l *loader) warnMixedChannels() error {
	for _, k := range l.stats.keys() {
		if k.kind != KindInterval {
			continue
		}
		s := l.stats.series[k]
		var others []string
		rows, err := l.tx.Query(l.ctx, `SELECT DISTINCT channel FROM meter_intervals
			WHERE site_id = $1 AND direction = $2 AND channel <> $3 AND "timestamp" >= $4 AND "timestamp" < $5
			ORDER BY channel`, l.siteID[k.site], s.direction, k.channel, s.from, s.to)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			if _, ours := l.stats.series[seriesKey{k.site, KindInterval, c}]; !ours {
				others = append(others, c)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(others) > 0 {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("site %q already has %s data from channel(s) %s over the span of channel %s; the views add channels together, so check the same meter is not loaded twice",
				l.res.Sites[k.site].Name, s.direction, strings.Join(others, ", "), k.channel))
		}
	}
	return nil
}

// tableCopy describes how rows of one kind go into their table.
type tableCopy struct {
	kind    Kind
	table   string
	columns []string
}

var tableCopies = []tableCopy{
	{KindInterval, "meter_intervals", []string{"site_id", "channel", "direction", "timestamp", "duration", "energy", "quality"}},
	{KindGeneration, "generation", []string{"site_id", "timestamp", "energy"}},
	{KindImportRegister, "import_cumulative", []string{"site_id", "timestamp", "energy"}},
	{KindExportRegister, "export_cumulative", []string{"site_id", "timestamp", "energy"}},
}

// copyDirect copies the rows straight into their tables, one COPY per
// table, each reading the file again. It is the fast path for data new to
// the database. A unique violation (the file repeats an interval, or a
// concurrent import got there first) rolls back to the savepoint and
// reports false, so the merge path can take over.
func (l *loader) copyDirect() (bool, error) {
	sp, err := l.tx.Begin(l.ctx)
	if err != nil {
		return false, err
	}
	var inserted int64
	for _, tc := range tableCopies {
		if !l.stats.has(tc.kind) {
			continue
		}
		n, err := l.copyFile(sp, tc.table, tc.columns, tc.kind)
		if err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" {
				if rbErr := sp.Rollback(l.ctx); rbErr != nil {
					return false, rbErr
				}
				return false, nil
			}
			_ = sp.Rollback(l.ctx)
			return false, err
		}
		inserted += n
	}
	if err := sp.Commit(l.ctx); err != nil {
		return false, err
	}
	l.res.Inserted, l.res.Method = inserted, "copy"
	return true, nil
}

// copyFile streams the file's rows of one kind (or, with kind 0, all rows
// into the staging table) through COPY.
func (l *loader) copyFile(tx pgx.Tx, table string, columns []string, kind Kind) (int64, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	cr := &countingReader{r: f, phase: "loading " + table, total: fi.Size(), fn: l.opts.Progress}
	if kind == 0 {
		cr.phase = "loading"
	}
	src, err := Open(cr, l.name, l.format, l.cfg)
	if err != nil {
		return 0, err
	}
	cs := &copySource{src: src, kind: kind, siteID: l.siteID, vals: make([]any, len(columns))}
	n, err := tx.CopyFrom(l.ctx, pgx.Identifier{table}, columns, cs)
	if err != nil {
		if cs.src.Err() != nil {
			return 0, cs.src.Err()
		}
		return 0, fmt.Errorf("copying into %s: %w", table, err)
	}
	want := l.stats.rows
	if kind != 0 {
		want = 0
		for k, s := range l.stats.series {
			if k.kind == kind {
				want += s.rows
			}
		}
	}
	if cs.rows != want {
		return 0, fmt.Errorf("%s changed while it was being imported (%d rows, then %d)", l.name, want, cs.rows)
	}
	return n, nil
}

var qualityText [256]string

func init() {
	for _, c := range []byte(qualityFlagCharacters) {
		qualityText[c] = string(c)
	}
}

// copySource adapts a Source to pgx.CopyFromSource. With kind 0 it yields
// staging rows (every kind, with a sequence number); otherwise only rows
// of that kind, in the target table's columns.
type copySource struct {
	src    Source
	kind   Kind
	siteID []int64
	vals   []any
	rows   int64
}

func (c *copySource) Next() bool {
	for c.src.Next() {
		r := c.src.Row()
		if c.kind != 0 && r.Kind != c.kind {
			continue
		}
		c.rows++
		id := c.siteID[r.Site]
		v := c.vals
		switch {
		case c.kind == 0:
			var channel, direction, quality, duration any
			if r.Kind == KindInterval {
				channel, direction, quality, duration = r.Channel, r.Direction, qualityText[r.Quality], r.Duration
			}
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] = int16(r.Kind), id, channel, direction, r.Start, duration, r.Energy, quality, c.rows
		case c.kind == KindInterval:
			v[0], v[1], v[2], v[3], v[4], v[5], v[6] = id, r.Channel, r.Direction, r.Start, r.Duration, r.Energy, qualityText[r.Quality]
		default:
			v[0], v[1], v[2] = id, r.Start, r.Energy
		}
		return true
	}
	return false
}

func (c *copySource) Values() ([]any, error) { return c.vals, nil }
func (c *copySource) Err() error             { return c.src.Err() }

var stageColumns = []string{"kind", "site_id", "channel", "direction", "ts", "duration", "energy", "quality", "seq"}

// merge loads the file through a temporary staging table and merges it into
// the tables: new rows are inserted, rows whose values differ are updated
// (and counted as replaced), identical rows are left alone, so re-importing
// a file writes nothing. Metered intervals of another length that overlap
// the file's intervals are deleted first (and counted as replaced): a
// 30-minute file replacing 15-minute data leaves no stale quarter hours.
func (l *loader) merge() error {
	l.res.Method = "merge"
	if _, err := l.tx.Exec(l.ctx, `CREATE TEMP TABLE ingest_stage (
		kind smallint NOT NULL,
		site_id bigint NOT NULL,
		channel text,
		direction text,
		ts timestamptz NOT NULL,
		duration interval,
		energy double precision NOT NULL,
		quality text,
		seq bigint NOT NULL
	) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("creating the staging table: %w", err)
	}
	if _, err := l.copyFile(l.tx, "ingest_stage", stageColumns, 0); err != nil {
		return err
	}
	if _, err := l.tx.Exec(l.ctx, `ANALYZE ingest_stage`); err != nil {
		return err
	}
	var updated int64
	if l.stats.has(KindInterval) {
		if err := l.deleteOtherLengths(); err != nil {
			return err
		}
	}
	for _, m := range merges {
		if !l.stats.has(m.kind) {
			continue
		}
		ins, upd, err := l.upsert(m)
		if err != nil {
			return fmt.Errorf("merging into %s: %w", m.table, err)
		}
		l.res.Inserted += ins
		l.res.Replaced += upd
		updated += upd
	}
	l.res.Unchanged = l.res.Rows - l.res.Inserted - updated
	return nil
}

// deleteOtherLengths removes existing intervals of a different length that
// overlap an interval of the file, channel by channel. It first asks
// whether any such row exists in the file's span, so the common case costs
// one index range scan per channel.
func (l *loader) deleteOtherLengths() error {
	indexed := false
	for _, k := range l.stats.keys() {
		if k.kind != KindInterval {
			continue
		}
		s := l.stats.series[k]
		id := l.siteID[k.site]
		var found bool
		err := l.tx.QueryRow(l.ctx, `SELECT EXISTS (SELECT 1 FROM meter_intervals m
			WHERE m.site_id = $1 AND m.channel = $2 AND m."timestamp" >= $3::timestamptz - interval '`+maxOverlapLookback+`'
			AND m."timestamp" < $4 AND m."timestamp" + m.duration > $3
			AND (m.duration < $5 OR m.duration > $6))`, id, k.channel, s.from, s.to, s.minDur, s.maxDur).Scan(&found)
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		if !indexed {
			if _, err := l.tx.Exec(l.ctx, `CREATE INDEX ON ingest_stage (site_id, channel, ts)`); err != nil {
				return err
			}
			indexed = true
		}
		tag, err := l.tx.Exec(l.ctx, `DELETE FROM meter_intervals m
			WHERE m.site_id = $1 AND m.channel = $2 AND m."timestamp" >= $3::timestamptz - interval '`+maxOverlapLookback+`'
			AND m."timestamp" < $4 AND m."timestamp" + m.duration > $3
			AND EXISTS (SELECT 1 FROM ingest_stage s
				WHERE s.kind = 1 AND s.site_id = m.site_id AND s.channel = m.channel
				AND s.ts > m."timestamp" - $5::interval AND s.ts < m."timestamp" + m.duration
				AND s.ts + s.duration > m."timestamp" AND s.duration <> m.duration)`,
			id, k.channel, s.from, s.to, s.maxDur)
		if err != nil {
			return fmt.Errorf("replacing intervals of another length: %w", err)
		}
		l.res.Replaced += tag.RowsAffected()
	}
	return nil
}

// mergeSpec is the upsert of one kind of staged row into its table.
type mergeSpec struct {
	kind    Kind
	table   string
	key     string // conflict target
	columns string // target columns
	select_ string // staging expressions, same order
	differ  string // compares the existing row t with the staged one s
	set     string
}

var merges = []mergeSpec{
	{KindInterval, "meter_intervals", `site_id, channel, "timestamp"`,
		`site_id, channel, direction, "timestamp", duration, energy, quality`,
		`s.site_id, s.channel, s.direction, s.ts, s.duration, s.energy, s.quality`,
		`(t.direction, t.duration, t.energy, t.quality) IS DISTINCT FROM (s.direction, s.duration, s.energy, s.quality)`,
		`direction = EXCLUDED.direction, duration = EXCLUDED.duration, energy = EXCLUDED.energy, quality = EXCLUDED.quality`},
	{KindGeneration, "generation", `site_id, "timestamp"`, `site_id, "timestamp", energy`, `s.site_id, s.ts, s.energy`,
		`t.energy IS DISTINCT FROM s.energy`, `energy = EXCLUDED.energy`},
	{KindImportRegister, "import_cumulative", `site_id, "timestamp"`, `site_id, "timestamp", energy`, `s.site_id, s.ts, s.energy`,
		`t.energy IS DISTINCT FROM s.energy`, `energy = EXCLUDED.energy`},
	{KindExportRegister, "export_cumulative", `site_id, "timestamp"`, `site_id, "timestamp", energy`, `s.site_id, s.ts, s.energy`,
		`t.energy IS DISTINCT FROM s.energy`, `energy = EXCLUDED.energy`},
}

// upsert merges the staged rows of one kind. Rows identical to what is
// stored are filtered out first, so they are neither written nor locked;
// ON CONFLICT still guards against a concurrent import. If the file holds
// the same interval twice, the later one wins (the staging sequence).
func (l *loader) upsert(m mergeSpec) (inserted, updated int64, err error) {
	keyCols := strings.ReplaceAll(m.key, `"timestamp"`, `ts`)
	join := `t.site_id = s.site_id AND t."timestamp" = s.ts`
	if m.kind == KindInterval {
		join += ` AND t.channel = s.channel`
	}
	source := func(dedupe bool) string {
		from := `ingest_stage`
		if dedupe {
			from = `(SELECT DISTINCT ON (` + keyCols + `) * FROM ingest_stage WHERE kind = ` + fmt.Sprint(int(m.kind)) +
				` ORDER BY ` + keyCols + `, seq DESC)`
		}
		return `SELECT ` + m.select_ + ` FROM ` + from + ` s
			WHERE s.kind = ` + fmt.Sprint(int(m.kind)) + ` AND NOT EXISTS (
				SELECT 1 FROM ` + m.table + ` t WHERE ` + join + ` AND NOT (` + m.differ + `))`
	}
	query := func(dedupe bool) string {
		return `WITH up AS (
			INSERT INTO ` + m.table + ` AS t (` + m.columns + `) ` + source(dedupe) + `
			ON CONFLICT (` + m.key + `) DO UPDATE SET ` + m.set + `
			RETURNING xmax = 0 AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`
	}
	sp, err := l.tx.Begin(l.ctx)
	if err != nil {
		return 0, 0, err
	}
	err = sp.QueryRow(l.ctx, query(false)).Scan(&inserted, &updated)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "21000" {
		// "ON CONFLICT DO UPDATE command cannot affect row a second time":
		// the file repeats a key. Merge again keeping the last occurrence.
		if err := sp.Rollback(l.ctx); err != nil {
			return 0, 0, err
		}
		if sp, err = l.tx.Begin(l.ctx); err != nil {
			return 0, 0, err
		}
		err = sp.QueryRow(l.ctx, query(true)).Scan(&inserted, &updated)
		if err == nil {
			var distinct int64
			err = sp.QueryRow(l.ctx, `SELECT count(*) FROM (SELECT DISTINCT `+keyCols+` FROM ingest_stage WHERE kind = $1) d`, int16(m.kind)).Scan(&distinct)
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("the file gives some %s rows more than once; the last one was kept", m.table))
			l.res.Rows -= l.countKind(m.kind) - distinct
		}
	}
	if err != nil {
		_ = sp.Rollback(l.ctx)
		return 0, 0, err
	}
	return inserted, updated, sp.Commit(l.ctx)
}

func (l *loader) countKind(kind Kind) int64 {
	var n int64
	for k, s := range l.stats.series {
		if k.kind == kind {
			n += s.rows
		}
	}
	return n
}
