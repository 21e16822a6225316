package ingest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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
	// overwritten; Unchanged rows already present with the same values;
	// Kept (below) rows older than what is stored. Together they are Rows.
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
	// Method is "copy" when nothing stored met the file's data, "merge"
	// when stored data had to be compared and merged with it.
	Method  string
	Elapsed time.Duration
	// Kept counts intervals of the file that were not stored because the
	// database holds a reading of the same interval that its meter data
	// provider updated later (NEM12 UpdateDateTime).
	Kept int64
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
	var stale []string
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		return pgx.BeginFunc(ctx, pc, func(tx pgx.Tx) error {
			l := &loader{ctx: ctx, tx: tx, path: path, name: name, format: format, cfg: cfg,
				opts: opts, zone: zone, stats: stats, keys: keys, res: res, written: newWritten()}
			if err := l.run(); err != nil {
				return err
			}
			stale, err = staleTables(ctx, tx, l.written)
			return err
		})
	})
	// Back to the pool before analyze takes a connection of its own.
	conn.Close()
	if err != nil {
		return nil, err
	}
	if note := analyze(ctx, db, stale); note != "" {
		res.Notes = append(res.Notes, note)
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
	// written counts the rows the import wrote (inserted, updated or
	// deleted) per table, for staleTables.
	written map[string]int64
}

func (l *loader) run() error {
	if err := l.resolveSites(); err != nil {
		return err
	}
	if err := l.lockSites(); err != nil {
		return err
	}
	l.summarise()
	if err := l.warnMixedChannels(); err != nil {
		return err
	}
	return l.merge()
}

// siteLockSpace is the first key of the advisory locks an import takes on
// its sites (the second is the site id), so they cannot meet other users'
// advisory locks.
const siteLockSpace = 0x736f6c76 // "solv"

// lockSites takes a transaction-scoped advisory lock on every site of the
// file, in ascending id order. Two imports touching the same sites then run
// one after the other whatever order their files list the sites in: each
// waits for the other's whole transaction instead of both locking rows in
// opposite orders and deadlocking. Imports of unrelated sites do not wait.
func (l *loader) lockSites() error {
	ids := append([]int64(nil), l.siteID...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		if i > 0 && ids[i-1] == id {
			continue
		}
		if _, err := l.tx.Exec(l.ctx, `SELECT pg_advisory_xact_lock($1, $2)`, int32(siteLockSpace), int32(id)); err != nil {
			return fmt.Errorf("waiting for other imports of the same sites: %w", err)
		}
	}
	return nil
}

// resolveSites finds or creates the site of every SiteKey of the file.
//
// Sites are looked up (and created) in the order of their keys, not the
// file's: two files naming the same new NMIs in opposite orders would
// otherwise each insert one site and wait for the other's.
func (l *loader) resolveSites() error {
	site := strings.TrimSpace(l.opts.Site)
	order := make([]int, len(l.keys))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ka, kb := l.keys[order[a]], l.keys[order[b]]
		if ka.NMI != kb.NMI {
			return ka.NMI < kb.NMI
		}
		return ka.Customer < kb.Customer
	})
	l.siteID = make([]int64, len(l.keys))
	l.res.Sites = make([]SiteResult, len(l.keys))
	for _, i := range order {
		key := l.keys[i]
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
		l.siteID[i] = s.ID
		l.res.Sites[i] = s
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
		rows, err := l.tx.Query(l.ctx, `SELECT DISTINCT channel FROM energy_days
			WHERE site_id = $1 AND kind = $2 AND channel <> $3
			AND start > $4::timestamptz - interval '24 hours' AND start < $5
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

// copyFile streams every row of the file into the staging table through
// COPY, reading the file again.
func (l *loader) copyFile() error {
	f, err := os.Open(l.path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	cr := &countingReader{r: f, phase: "loading", total: fi.Size(), fn: l.opts.Progress}
	src, err := Open(cr, l.name, l.format, l.cfg)
	if err != nil {
		return err
	}
	cs := &copySource{src: src, siteID: l.siteID, vals: make([]any, len(stageColumns))}
	if _, err := l.tx.CopyFrom(l.ctx, pgx.Identifier{"ingest_stage"}, stageColumns, cs); err != nil {
		if cs.src.Err() != nil {
			return cs.src.Err()
		}
		return fmt.Errorf("copying into the staging table: %w", err)
	}
	if cs.rows != l.stats.rows {
		return fmt.Errorf("%s changed while it was being imported (%d rows, then %d)", l.name, l.stats.rows, cs.rows)
	}
	return nil
}

var qualityText [256]string

func init() {
	for _, c := range []byte(qualityFlagCharacters) {
		qualityText[c] = string(c)
	}
}

// copySource adapts a Source to pgx.CopyFromSource, yielding staging rows
// with a sequence number (the row's place in the file).
type copySource struct {
	src    Source
	siteID []int64
	vals   []any
	rows   int64
}

// energyKind is the energy_days kind of an interval or generation row.
func energyKind(r *Row) (kind, channel string) {
	if r.Kind == KindGeneration {
		return "generation", "generation"
	}
	return r.Direction, r.Channel
}

func (c *copySource) Next() bool {
	if !c.src.Next() {
		return false
	}
	r := c.src.Row()
	c.rows++
	var kind, channel, quality, duration, updated any
	if r.Kind == KindInterval || r.Kind == KindGeneration {
		k, ch := energyKind(r)
		kind, channel, quality, duration = k, ch, qualityText[r.Quality], r.Duration
		if !r.UpdatedAt.IsZero() {
			updated = r.UpdatedAt
		}
	}
	v := c.vals
	v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9] = int16(r.Kind), c.siteID[r.Site], kind, channel, r.Start, duration, r.Energy, quality, updated, c.rows
	return true
}

func (c *copySource) Values() ([]any, error) { return c.vals, nil }
func (c *copySource) Err() error             { return c.src.Err() }

var stageColumns = []string{"row_kind", "site_id", "kind", "channel", "ts", "step", "energy", "quality", "updated_at", "seq"}

// merge loads the file through a temporary staging table and merges it into
// the tables: interval energy by mergeIntervals, register readings by
// upsert. Nothing identical to what is stored is written, so re-importing
// a file writes nothing.
func (l *loader) merge() error {
	if _, err := l.tx.Exec(l.ctx, `CREATE TEMP TABLE ingest_stage (
		row_kind smallint NOT NULL,
		site_id bigint NOT NULL,
		kind text,
		channel text,
		ts timestamptz NOT NULL,
		step interval,
		energy double precision NOT NULL,
		quality text,
		updated_at timestamptz,
		seq bigint NOT NULL
	) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("creating the staging table: %w", err)
	}
	if err := l.copyFile(); err != nil {
		return err
	}
	if _, err := l.tx.Exec(l.ctx, `ANALYZE ingest_stage`); err != nil {
		return err
	}
	l.res.Method = "copy"
	if l.stats.has(KindInterval) || l.stats.has(KindGeneration) {
		if err := l.mergeIntervals(); err != nil {
			return fmt.Errorf("merging interval energy: %w", err)
		}
	}
	for _, m := range merges {
		if !l.stats.has(m.kind) {
			continue
		}
		ins, upd, unchanged, err := l.upsert(m)
		if err != nil {
			return fmt.Errorf("merging into %s: %w", m.table, err)
		}
		l.res.Inserted += ins
		l.res.Replaced += upd
		l.written[m.table] += ins + upd
		l.res.Unchanged += unchanged
		if upd > 0 || unchanged > 0 {
			l.res.Method = "merge"
		}
	}
	return nil
}

// nemDayOrigin is a NEM midnight: energy_days rows are cut at NEM days
// (UTC+10), so a NEM12 300 record is one row.
const nemDayOrigin = `'2000-01-01 00:00:00+10'::timestamptz`

// BuildDays returns the statement that inserts into energy_days the rows
// holding the intervals selected by the query src (columns site_id, kind,
// channel, ts, step, energy, quality, updated_at; no two intervals of one
// series may overlap, and no row they make may exist yet). Test helpers
// that load data in bulk use it so that they store it as imports do.
func BuildDays(src string) string { return fmt.Sprintf(buildDays, src) }

// buildDays inserts into energy_days the rows holding the intervals of the
// relation src (site_id, kind, channel, ts, step, energy, quality,
// updated_at), which must not overlap within a series. Each interval goes
// to the row of its NEM day, step and phase (its offset from the NEM
// midnight modulo step); a row's array covers the rest of the day from the
// first instant of its grid, with NULL where src has no interval. The
// migration 20261127120000_energy_days builds rows the same way.
const buildDays = `
INSERT INTO energy_days (site_id, kind, start, channel, step, energy, quality, updated_at)
SELECT p.site_id, p.kind, p.start, p.channel, p.step,
  CASE WHEN count(*) = max(p.size) THEN array_agg(p.energy ORDER BY p.pos)
  ELSE (SELECT array_agg(x.e ORDER BY g.i) FROM generate_series(1, max(p.size)) g(i)
        LEFT JOIN unnest(array_agg(p.pos), array_agg(p.energy)) x(pos, e) ON x.pos = g.i) END,
  CASE WHEN bool_and(p.quality = 'A') THEN NULL
  WHEN count(*) = max(p.size) THEN string_agg(p.quality, '' ORDER BY p.pos)
  ELSE (SELECT string_agg(coalesce(x.q, 'A'), '' ORDER BY g.i) FROM generate_series(1, max(p.size)) g(i)
        LEFT JOIN unnest(array_agg(p.pos), array_agg(p.quality)) x(pos, q) ON x.pos = g.i) END,
  max(p.updated_at)
FROM (
  SELECT s.site_id, s.kind, s.channel, s.step, s.energy, s.quality, s.updated_at, b.day + b.phase AS start,
    (extract(epoch FROM s.ts - b.day - b.phase) / extract(epoch FROM s.step))::int + 1 AS pos,
    ceil(extract(epoch FROM interval '24 hours' - b.phase) / extract(epoch FROM s.step))::int AS size
  FROM (%s) s
  CROSS JOIN LATERAL (SELECT date_bin('24 hours', s.ts, ` + nemDayOrigin + `) AS day) d
  CROSS JOIN LATERAL (SELECT d.day,
    make_interval(secs => mod(extract(epoch FROM s.ts - d.day), extract(epoch FROM s.step))::double precision) AS phase) b
) p
GROUP BY p.site_id, p.kind, p.start, p.channel, p.step`

// mergeIntervals merges the staged intervals and generation into
// energy_days. An interval is stored once per site, kind, channel and
// instant: a new interval replaces every stored one of its series it
// overlaps, whatever their lengths (a day restated at 30 minutes replaces
// its 15-minute values), unless a stored one it overlaps carries a later
// provider update time than the new one (both must carry one: without,
// the later import wins). Within the file, the same rule applies in file
// order. Only the NEM days that change are rewritten.
func (l *loader) mergeIntervals() error {
	exec := func(sql string, args ...any) (int64, error) {
		tag, err := l.tx.Exec(l.ctx, sql, args...)
		return tag.RowsAffected(), err
	}
	count := func(sql string, args ...any) (n int64, err error) {
		err = l.tx.QueryRow(l.ctx, sql, args...).Scan(&n)
		return n, err
	}
	staged := l.countKind(KindInterval) + l.countKind(KindGeneration)

	// 1. The file's own restatements: of several values for one instant,
	// the one updated last, else the last in the file (a record without an
	// update time counts as the latest, as it would in a later import).
	distinct, err := exec(`CREATE TEMP TABLE ingest_new ON COMMIT DROP AS
		SELECT DISTINCT ON (site_id, kind, channel, ts) site_id, kind, channel, ts, step, energy, quality, updated_at, seq
		FROM ingest_stage WHERE row_kind IN (1, 2)
		ORDER BY site_id, kind, channel, ts, updated_at DESC NULLS FIRST, seq DESC`)
	if err != nil {
		return err
	}
	if distinct < staged {
		l.res.Notes = append(l.res.Notes, "the file gives some intervals more than once; the last one was kept")
		l.res.Rows -= staged - distinct
	}
	indexed := false
	index := func() error {
		if indexed {
			return nil
		}
		indexed = true
		_, err := exec(`CREATE INDEX ON ingest_new (site_id, kind, channel, ts)`)
		return err
	}
	var maxStep time.Duration
	mixed := false
	for k, s := range l.stats.series {
		if k.kind == KindInterval || k.kind == KindGeneration {
			maxStep = max(maxStep, s.maxDur)
			mixed = mixed || s.minDur != s.maxDur
		}
	}
	if mixed {
		// Intervals of another length restated later in the file.
		if err := index(); err != nil {
			return err
		}
		n, err := exec(`DELETE FROM ingest_new a WHERE EXISTS (SELECT 1 FROM ingest_new b
			WHERE b.site_id = a.site_id AND b.kind = a.kind AND b.channel = a.channel
			AND b.ts > a.ts - $1::interval AND b.ts < a.ts + a.step AND b.ts + b.step > a.ts AND b.ts <> a.ts
			AND (b.updated_at > a.updated_at OR (NOT coalesce(b.updated_at < a.updated_at, false) AND b.seq > a.seq)))`, maxStep)
		if err != nil {
			return err
		}
		if n > 0 {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("%d interval(s) of the file are restated later in it with another interval length; the later values were kept", n))
			l.res.Rows -= n
		}
	}

	// 2. What is stored around the file's data, one interval per row.
	if _, err := exec(`CREATE TEMP TABLE ingest_old (site_id bigint, kind text, channel text, ts timestamptz,
		step interval, energy double precision, quality text, updated_at timestamptz) ON COMMIT DROP`); err != nil {
		return err
	}
	var old int64
	for _, k := range l.stats.keys() {
		if k.kind != KindInterval && k.kind != KindGeneration {
			continue
		}
		s := l.stats.series[k]
		kind, channel := "generation", "generation"
		if k.kind == KindInterval {
			kind, channel = s.direction, k.channel
		}
		// Rows hold intervals starting within their NEM day, so the rows of
		// every day the file touches, and of the day before (an interval
		// may reach past midnight), start in this window.
		n, err := exec(`INSERT INTO ingest_old
			SELECT r.site_id, r.kind, r.channel, r.start + (u.n - 1) * r.step, r.step, u.v,
				coalesce(substr(r.quality, u.n::int, 1), 'A'), r.updated_at
			FROM energy_days r CROSS JOIN LATERAL unnest(r.energy) WITH ORDINALITY AS u(v, n)
			WHERE r.site_id = $1 AND r.kind = $2 AND r.channel = $3
			AND r.start > $4::timestamptz - interval '48 hours' AND r.start < $5::timestamptz + interval '24 hours'
			AND u.v IS NOT NULL`, l.siteID[k.site], kind, channel, s.from, s.to)
		if err != nil {
			return err
		}
		old += n
	}
	if old > 0 {
		l.res.Method = "merge"
		// Overlap probes look back by the longest interval on either side.
		var stored time.Duration
		if err := l.tx.QueryRow(l.ctx, `SELECT max(step) FROM ingest_old`).Scan(&stored); err != nil {
			return err
		}
		maxStep = max(maxStep, stored)
		if err := index(); err != nil {
			return err
		}
		if err := l.compareStored(maxStep); err != nil {
			return err
		}
	} else {
		n, err := count(`SELECT count(*) FROM ingest_new`)
		if err != nil {
			return err
		}
		l.res.Inserted += n
	}

	// 3. Rewrite the NEM days that change: the stored intervals no new one
	// replaces, and the new ones.
	overlap := `o.site_id = n.site_id AND o.kind = n.kind AND o.channel = n.channel
		AND o.ts > n.ts - $1::interval AND o.ts < n.ts + n.step AND o.ts + o.step > n.ts`
	if _, err := exec(`CREATE TEMP TABLE ingest_days ON COMMIT DROP AS
		SELECT DISTINCT site_id, kind, channel, date_bin('24 hours', ts, `+nemDayOrigin+`) AS day FROM ingest_new
		UNION
		SELECT DISTINCT o.site_id, o.kind, o.channel, date_bin('24 hours', o.ts, `+nemDayOrigin+`) FROM ingest_old o
		WHERE EXISTS (SELECT 1 FROM ingest_new n WHERE `+overlap+`)`, maxStep); err != nil {
		return err
	}
	deleted, err := exec(`DELETE FROM energy_days r USING ingest_days d
		WHERE r.site_id = d.site_id AND r.kind = d.kind AND r.channel = d.channel
		AND r.start >= d.day AND r.start < d.day + interval '24 hours'`)
	if err != nil {
		return err
	}
	src := `SELECT n.site_id, n.kind, n.channel, n.ts, n.step, n.energy, n.quality, n.updated_at FROM ingest_new n
		UNION ALL
		SELECT o.site_id, o.kind, o.channel, o.ts, o.step, o.energy, o.quality, o.updated_at FROM ingest_old o
		JOIN ingest_days d ON d.site_id = o.site_id AND d.kind = o.kind AND d.channel = o.channel
			AND d.day = date_bin('24 hours', o.ts, ` + nemDayOrigin + `)
		WHERE NOT EXISTS (SELECT 1 FROM ingest_new n WHERE ` + overlap + `)`
	inserted, err := exec(fmt.Sprintf(buildDays, src), maxStep)
	if err != nil {
		return err
	}
	l.written["energy_days"] += deleted + inserted
	return nil
}

// compareStored sorts the file's intervals against the stored ones they
// overlap: older than a stored reading (removed from ingest_new, counted
// as kept), identical to one (removed, unchanged), or new and replacing
// stored ones (counted as replaced) or not (inserted).
func (l *loader) compareStored(maxStep time.Duration) error {
	if _, err := l.tx.Exec(l.ctx, `CREATE INDEX ON ingest_old (site_id, kind, channel, ts)`); err != nil {
		return err
	}
	if _, err := l.tx.Exec(l.ctx, `ANALYZE ingest_old; ANALYZE ingest_new`); err != nil {
		return err
	}
	// When every interval has the same length, overlapping means starting
	// at the same instant, which PostgreSQL can hash-join.
	var lengths int
	if err := l.tx.QueryRow(l.ctx, `SELECT count(DISTINCT step) FROM (SELECT step FROM ingest_new UNION ALL SELECT step FROM ingest_old) s`).Scan(&lengths); err != nil {
		return err
	}
	overlap := `o.site_id = n.site_id AND o.kind = n.kind AND o.channel = n.channel AND o.ts = n.ts AND $1::interval IS NOT NULL`
	if lengths > 1 {
		overlap = `o.site_id = n.site_id AND o.kind = n.kind AND o.channel = n.channel
			AND o.ts > n.ts - $1::interval AND o.ts < n.ts + n.step AND o.ts + o.step > n.ts`
	}
	tag, err := l.tx.Exec(l.ctx, `DELETE FROM ingest_new n WHERE EXISTS (SELECT 1 FROM ingest_old o
		WHERE `+overlap+` AND o.updated_at > n.updated_at)`, maxStep)
	if err != nil {
		return err
	}
	l.res.Kept += tag.RowsAffected()
	tag, err = l.tx.Exec(l.ctx, `DELETE FROM ingest_new n WHERE EXISTS (SELECT 1 FROM ingest_old o
		WHERE o.site_id = n.site_id AND o.kind = n.kind AND o.channel = n.channel AND o.ts = n.ts
		AND o.step = n.step AND o.energy = n.energy AND o.quality = n.quality)`)
	if err != nil {
		return err
	}
	l.res.Unchanged += tag.RowsAffected()
	// Replaced counts the stored intervals that go (one per new interval
	// when lengths agree, all the quarter hours a half hour covers when
	// they do not); Inserted the new intervals with no stored interval of
	// the same start and length.
	var inserted, replaced int64
	if err := l.tx.QueryRow(l.ctx, `SELECT
		(SELECT count(*) FROM ingest_new n WHERE NOT EXISTS (SELECT 1 FROM ingest_old o
			WHERE o.site_id = n.site_id AND o.kind = n.kind AND o.channel = n.channel AND o.ts = n.ts AND o.step = n.step)),
		(SELECT count(*) FROM ingest_old o WHERE EXISTS (SELECT 1 FROM ingest_new n WHERE `+overlap+`))`,
		maxStep).Scan(&inserted, &replaced); err != nil {
		return err
	}
	l.res.Inserted += inserted
	l.res.Replaced += replaced
	return nil
}

// mergeSpec is the upsert of one kind of staged register reading into its
// table.
type mergeSpec struct {
	kind  Kind
	table string
}

var merges = []mergeSpec{
	{KindImportRegister, "import_cumulative"},
	{KindExportRegister, "export_cumulative"},
}

// upsert merges the staged register readings of one kind. Readings
// identical to what is stored are filtered out first, so they are neither
// written nor locked. If the file holds the same reading twice, the last
// one wins.
func (l *loader) upsert(m mergeSpec) (inserted, updated, unchanged int64, err error) {
	kind := int(m.kind)
	q := fmt.Sprintf(`WITH s AS (
			SELECT DISTINCT ON (site_id, ts) site_id, ts, energy FROM ingest_stage
			WHERE row_kind = %d ORDER BY site_id, ts, seq DESC),
		up AS (
			INSERT INTO %s AS t (site_id, "timestamp", energy)
			SELECT s.site_id, s.ts, s.energy FROM s
			WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.site_id = s.site_id AND t."timestamp" = s.ts AND t.energy = s.energy)
			ON CONFLICT (site_id, "timestamp") DO UPDATE SET energy = EXCLUDED.energy
			RETURNING xmax = 0 AS inserted)
		SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), (SELECT count(*) FROM s) FROM up`,
		kind, pgx.Identifier{m.table}.Sanitize(), pgx.Identifier{m.table}.Sanitize())
	var distinct int64
	if err := l.tx.QueryRow(l.ctx, q).Scan(&inserted, &updated, &distinct); err != nil {
		return 0, 0, 0, err
	}
	if dup := l.countKind(m.kind) - distinct; dup > 0 {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("the file gives some %s rows more than once; the last one was kept", m.table))
		l.res.Rows -= dup
	}
	return inserted, updated, distinct - inserted - updated, nil
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
