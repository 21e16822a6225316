package report

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/models"
)

// FleetOptions says which sites a many-site report covers: `solarview
// battery --all-sites` or `--site` given several times.
type FleetOptions struct {
	// Report is what each site's report simulates and prices; its Site,
	// Profile and Progress must be empty (the fleet chooses the sites, keeps
	// no typical day and reports its own progress).
	Report Options
	// Sites names the sites, in any order; a name given twice counts once.
	// Empty with AllSites.
	Sites []string
	// AllSites reports every site in the database.
	AllSites bool
	// Jobs is how many sites are reported at once, each by its own worker
	// on its own database connection; 0 means one per CPU core.
	Jobs int
	// Progress, when not nil, is told after each site how many are done.
	Progress Progress
}

// Fleet is a many-site report: one row per site, the reported sites ranked
// by savings per year (best first, ties by name), then the skipped ones by
// name with their reason.
type Fleet struct {
	Rows []SiteRow
	// Reported and Skipped count the rows of each kind.
	Reported, Skipped int
	// Batteries, Price, DiscountRate and LifetimeYears echo the options.
	Batteries     int
	Price         *Price
	DiscountRate  *float64
	LifetimeYears int
	// BestBy is how a sweep chose each site's size: "payback" with a price,
	// "savings" without (as a single site's report marks its best).
	BestBy string
}

// SiteRow is one site of a many-site report. It keeps the figures of one
// battery configuration and none of the per-period detail, so a fleet of
// any size holds little per site.
type SiteRow struct {
	Site, TimeZone string
	// Rank is 1 for the largest savings per year; 0 for a skipped site.
	Rank int
	// Reason says why a skipped site has no figures: no data, no billing
	// period covering it, a tariff that cannot be priced…
	Reason string
	// First and Last are the local dates of the first and last data read
	// (Last included).
	First, Last time.Time
	Intervals   int
	DaysPriced  int
	// Result is the site's battery: the only one simulated, or with a
	// sweep the size the single-site report marks best (shortest payback
	// with a price, largest savings without; when no size saves money, the
	// one losing least). Its Periods are dropped.
	Result Result
	// Best tells whether Result is the site report's best configuration
	// (false when no configuration saves money).
	Best bool
}

// Skipped tells a site listed with a reason from a reported one.
func (r SiteRow) Skipped() bool { return r.Reason != "" }

// ErrNothingReported is what Fleet.Err wraps when every chosen site was
// skipped.
var ErrNothingReported = errors.New("no site could be reported")

// Err is nil when at least one site was reported, else ErrNothingReported
// (wrapped, with the count): a command writes the rows first, each skipped
// site with its reason, and then exits non-zero with it.
func (fl *Fleet) Err() error {
	if fl.Reported == 0 {
		return fmt.Errorf("%w: all %d site(s) skipped, each with its reason above", ErrNothingReported, fl.Skipped)
	}
	return nil
}

func (fo *FleetOptions) check() error {
	o := &fo.Report
	switch {
	case o.Site != "":
		return userErr("a many-site report takes its sites from Sites or AllSites, not Report.Site")
	case o.Profile:
		return userErr("a many-site report keeps no typical day: --chart draws one site's report, give a single --site")
	case o.Progress != nil:
		return userErr("a many-site report shows its own progress (FleetOptions.Progress)")
	case fo.AllSites && len(fo.Sites) > 0:
		return userErr("give either --all-sites or --site, not both")
	case !fo.AllSites && len(fo.Sites) == 0:
		return userErr("no site chosen: give --site NAME (several times) or --all-sites")
	case fo.Jobs < 0:
		return userErr("--jobs must be at least 1, got %d", fo.Jobs)
	}
	return o.check()
}

// chooseSites loads the sites to report, whole: every site, or the names
// asked for (each once), refusing an unknown one with a "did you mean".
func chooseSites(ctx context.Context, db bun.IDB, fo FleetOptions) ([]models.Site, error) {
	var all []models.Site
	if err := db.NewSelect().Model(&all).Order("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing sites: %w", err)
	}
	if len(all) == 0 {
		return nil, errors.New("there are no sites yet: add one with `solarview site add` and import its data")
	}
	if fo.AllSites {
		return all, nil
	}
	byName := make(map[string]models.Site, len(all))
	known := make([]string, len(all))
	for i, s := range all {
		byName[s.Name] = s
		known[i] = s.Name
	}
	var out []models.Site
	seen := map[string]bool{}
	for _, n := range fo.Sites {
		n = strings.TrimSpace(n)
		s, ok := byName[n]
		if !ok {
			return nil, &names.NotFoundError{Kind: "site", Name: n, Known: known}
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// workers is how many sites to report at once: jobs, or one per core
// when jobs is 0, and never more than there are sites. Each worker holds a
// session of its own, so an explicit jobs beyond the sessions the server
// has left is refused before any work, rather than failing with "too many
// clients" part-way; the default is lowered to fit.
func workers(ctx context.Context, db *bun.DB, jobs, cores, sites int) (int, error) {
	n := jobs
	if n == 0 {
		n = cores
	}
	n = min(n, sites)
	if n <= 2 {
		return n, nil // the session this asks on is one of them
	}
	var left, limit int
	err := db.QueryRowContext(ctx, `SELECT current_setting('max_connections')::int
		- current_setting('superuser_reserved_connections')::int
		- (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
		current_setting('max_connections')::int`).Scan(&left, &limit)
	if err != nil {
		return 0, fmt.Errorf("counting the server's free sessions: %w", err)
	}
	// The session that asked goes back to the pool for a worker to use.
	left++
	switch {
	case n <= left:
		return n, nil
	case jobs == 0:
		return max(left, 1), nil
	}
	return 0, userErr("--jobs %d needs %d sessions on the server, which has %d left (max_connections %d): give --jobs %d or fewer",
		jobs, n, left, limit, left)
}

// ComputeFleet reports every chosen site, fo.Jobs at a time. Each site is
// the single-site report (Compute: one streamed pass over its summary
// rows), so its figures are exactly what `battery --site` prints for it.
// A site that cannot be reported becomes a row with its reason; an error
// of the server or the connection, or a cancelled ctx, stops the run, as
// it would most likely fail every site after it.
//
// Memory grows only by a SiteRow per site (a few hundred bytes): each
// site's report, periods and all, is dropped as soon as its row is taken.
func ComputeFleet(ctx context.Context, db *bun.DB, fo FleetOptions) (*Fleet, error) {
	if err := fo.check(); err != nil {
		return nil, err
	}
	sites, err := chooseSites(ctx, db, fo)
	if err != nil {
		return nil, err
	}
	jobs, err := workers(ctx, db, fo.Jobs, runtime.NumCPU(), len(sites))
	if err != nil {
		return nil, err
	}
	// Each worker runs its site's queries one after another (a site's row
	// needs no channel gaps, so not even the query for them runs beside the
	// stream), so it holds at most one connection; keeping that many idle
	// lets every worker go on with its own instead of connecting per site
	// (database/sql keeps two by default): a new connection is a new server
	// process, which loads the catalog and plans summary afresh.
	db.SetMaxIdleConns(max(jobs, 2))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan int)
	type done struct {
		row SiteRow
		err error
	}
	results := make(chan done)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range todo {
				row, err := reportSite(ctx, db, fo.Report, &sites[i])
				select {
				case results <- done{row, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(todo)
		for i := range sites {
			select {
			case todo <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	fl := &Fleet{
		Rows:      make([]SiteRow, 0, len(sites)),
		Batteries: len(fo.Report.Batteries), Price: fo.Report.Price,
		DiscountRate: fo.Report.DiscountRate, LifetimeYears: fo.Report.LifetimeYears,
		BestBy: "savings",
	}
	if fl.LifetimeYears == 0 {
		fl.LifetimeYears = DefaultLifetime
	}
	if fl.Price != nil {
		fl.BestBy = "payback"
	}
	prog := newFleetProgress(fo.Progress, len(sites))
	var firstErr error
	for d := range results {
		if d.err != nil {
			if firstErr == nil {
				firstErr = d.err
				cancel()
			}
			continue
		}
		fl.Rows = append(fl.Rows, d.row)
		prog.add()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fl.rank()
	return fl, nil
}

// reportSite computes one site's report and keeps its row. Only a fatal
// error (see fatal) is returned; any other becomes the row's reason.
func reportSite(ctx context.Context, db *bun.DB, opts Options, s *models.Site) (SiteRow, error) {
	row := SiteRow{Site: s.Name, TimeZone: s.TimeZone}
	opts.Site = s.Name
	opts.fleet = true
	loc, err := siteLocation(s)
	var rep *Report
	if err == nil {
		rep, err = computeSite(ctx, db, s, loc, opts)
	}
	if err != nil {
		if fatal(ctx, err) {
			return row, fmt.Errorf("site %q: %w", s.Name, err)
		}
		row.Reason = err.Error()
		return row, nil
	}
	d := rep.Data
	row.First = localDate(d.First.In(loc))
	row.Last = localDate(d.End.Add(-time.Nanosecond).In(loc))
	row.Intervals, row.DaysPriced = d.Intervals, rep.DaysPriced
	pick := rep.Best
	row.Best = pick >= 0
	if pick < 0 {
		pick = 0
		for i, r := range rep.Results {
			if r.SavingsPerYear > rep.Results[pick].SavingsPerYear {
				pick = i
			}
		}
	}
	row.Result = rep.Results[pick]
	row.Result.Periods = nil
	return row, nil
}

func localDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// fatal tells an error that ends the whole run — the context is done, or
// the server or connection failed — from one that concerns this site only.
// Reports turn a site's own problems (no data, no billing period, a tariff
// that cannot price it) into plain errors with a message for the user;
// failures of the database come as pgx, network or driver errors.
func fatal(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &pgErr) || errors.As(err, &connErr) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err)
}

// rank orders the rows: reported sites by savings per year, largest first,
// then by name; skipped sites after them by name. Ranks count from 1.
func (fl *Fleet) rank() {
	slices.SortStableFunc(fl.Rows, func(a, b SiteRow) int {
		if a.Skipped() != b.Skipped() {
			if a.Skipped() {
				return 1
			}
			return -1
		}
		if !a.Skipped() {
			if c := cmp.Compare(b.Result.SavingsPerYear, a.Result.SavingsPerYear); c != 0 {
				return c
			}
		}
		return strings.Compare(a.Site, b.Site)
	})
	fl.Reported, fl.Skipped = 0, 0
	for i := range fl.Rows {
		if fl.Rows[i].Skipped() {
			fl.Skipped++
			continue
		}
		fl.Reported++
		fl.Rows[i].Rank = fl.Reported
	}
}
