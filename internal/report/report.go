package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/sites"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

// DefaultLifetime is the battery life, in years, the net present value is
// taken over when Options.LifetimeYears is zero: the usual warranty.
const DefaultLifetime = 10

// DefaultCurrency is the currency reports name when Options.Currency is
// empty: solarview reads Australian meter data and plans.
const DefaultCurrency = "AUD"

// Options says what to report.
type Options struct {
	// Site is the site's name; empty picks the only site there is.
	Site string
	// Batteries are the configurations simulated, all in one pass. Two or
	// more make a sweep.
	Batteries []battery.Config
	// From and To limit the data to local calendar dates in the site's time
	// zone, both inclusive (as `billing add --from --to` takes them); zero
	// leaves that end open. The battery starts empty at the first interval.
	From, To time.Time
	// Price, when set, gives payback and net present value.
	Price *Price
	// DiscountRate, when set (with Price), gives the net present value over
	// LifetimeYears at this yearly rate.
	DiscountRate *float64
	// LifetimeYears defaults to DefaultLifetime.
	LifetimeYears int
	// Profile, with a single battery, collects its typical day's state of
	// charge into Report.Profile: what a chart of one battery draws.
	Profile bool
	// Progress, when not nil, is told how far the pass over the data has
	// got (see Progress).
	Progress Progress
	// Registry decodes tariff components; nil means tariff.Components.
	Registry *tariff.Registry
	// Currency names the money of the tariffs, for charts and headings;
	// default DefaultCurrency.
	Currency string

	// fleet marks one report of many run side by side (`--all-sites`). It
	// leaves Report.ChannelGaps empty and spares the query that finds them,
	// since a ranking row does not show them, and reads the rows on the
	// report's own goroutine, since the other reports keep the cores busy.
	fleet bool
}

// Report is a computed report: what was simulated, over which data, and the
// result for each battery.
type Report struct {
	Site     string
	TimeZone string
	// From and To are the requested dates (zero when open), To inclusive.
	From, To time.Time
	// Data describes the intervals read: their number, length, gaps and
	// missing values (battery.Report; its Results are in Results below).
	Data *battery.Report
	// DaysPriced is the number of local days with data inside a billing
	// period; averages per day and per year are over them.
	DaysPriced int
	// Unpriced counts intervals outside every billing period: simulated,
	// but not priced.
	Unpriced unpriced
	// Gaps lists the stretches without any data, in time order.
	Gaps []Gap
	// ChannelGaps lists the stretches where the data went on but grid
	// import or export had no rows: summary counts them as zero.
	ChannelGaps []ChannelGap
	// Warnings are lines the reader must see once, such as a tariff that
	// prices public holidays when no holiday calendar covers the data.
	Warnings []string
	// Currency names the money in charts and headings.
	Currency string
	// Price, DiscountRate and LifetimeYears echo the options.
	Price         *Price
	DiscountRate  *float64
	LifetimeYears int
	Results       []Result
	// Best is the index in Results of the best configuration, -1 for none;
	// BestBy says by what: "payback" with a price, "savings" without.
	Best   int
	BestBy string
	// Profile is the typical day's state of charge of the battery, when
	// Options.Profile asked for it.
	Profile []Point
}

// Result is one battery configuration's outcome.
type Result struct {
	Config     battery.Config
	Label      string
	Convention string
	// Totals are the energy totals from the simulation.
	Totals battery.Totals
	// Periods are the billing periods that had data, in date order.
	Periods []PeriodResult
	// BaselineCost and Cost are the exact costs without and with the
	// battery over every period; Savings their difference.
	BaselineCost, Cost, Savings   models.Money
	SavingsPerDay, SavingsPerYear models.Money
	// Price of this battery, PaybackYears (+Inf: never) and NPV are set
	// when a price was given; NPV only with a discount rate.
	Price        *models.Money
	PaybackYears float64
	NPV          *models.Money
	// PaysBackInLifetime says whether the payback comes within the
	// battery's lifetime (set with a price).
	PaysBackInLifetime bool
}

// PeriodResult is one billing period without and with the battery.
type PeriodResult struct {
	// Start is the first day and End the day after the last.
	Start, End time.Time
	Tariff     string
	// Days is the number of days with data, the days priced; PeriodDays
	// the number of days in the period. Fewer Days than PeriodDays is a
	// period priced on part of its days, which reports say.
	Days, PeriodDays                   int
	BaselineImportWh, BaselineExportWh float64
	ImportWh, ExportWh                 float64
	BaselineCosts, Costs               tariff.Costs
}

// BaselineBill and Bill are the period's cost without and with the
// battery as a bill shows it: rounded to the cent from the exact sum.
func (p PeriodResult) BaselineBill() models.Money { return p.BaselineCosts.Total().RoundCents() }

// Bill is the period's cost with the battery, rounded to the cent.
func (p PeriodResult) Bill() models.Money { return p.Costs.Total().RoundCents() }

// Savings is what the battery saved in the period: the difference of the
// two bills, so a period row adds up.
func (p PeriodResult) Savings() models.Money { return p.BaselineBill() - p.Bill() }

// Partial reports whether the period was priced on part of its days.
func (p PeriodResult) Partial() bool { return p.Days < p.PeriodDays }

// userErr makes the one-line error a user sees for a mistake in the
// request; the CLI prints it as it is.
func userErr(format string, args ...any) error { return fmt.Errorf(format, args...) }

// check refuses bad options before anything is read.
func (o *Options) check() error {
	if len(o.Batteries) == 0 {
		return userErr("no battery to simulate")
	}
	for _, c := range o.Batteries {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	if !o.From.IsZero() && !o.To.IsZero() && o.To.Before(o.From) {
		return userErr("--to %s is before --from %s", o.To.Format(time.DateOnly), o.From.Format(time.DateOnly))
	}
	if o.LifetimeYears < 0 || o.LifetimeYears > 100 {
		return userErr("lifetime must be between 1 and 100 years, got %d", o.LifetimeYears)
	}
	if o.DiscountRate != nil && (*o.DiscountRate < 0 || *o.DiscountRate >= 1) {
		return userErr("discount rate must be at least 0 and below 1, got %v", *o.DiscountRate)
	}
	return nil
}

// Compute reads the site's summary once, simulates every battery of opts
// over it and prices the data without and with each battery per billing
// period.
func Compute(ctx context.Context, db *bun.DB, opts Options) (*Report, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	site, loc, err := loadSite(ctx, db, opts.Site)
	if err != nil {
		return nil, err
	}
	return computeSite(ctx, db, site, loc, opts)
}

// computeSite is Compute for a site already loaded, in its zone loc, with
// opts checked: `--all-sites` has every site from one query.
func computeSite(ctx context.Context, db *bun.DB, site *models.Site, loc *time.Location, opts Options) (*Report, error) {
	pr, err := tariff.LoadPricer(ctx, db, opts.registry(), site)
	if none := (*tariff.NoBillingPeriodsError)(nil); errors.As(err, &none) {
		return nil, withoutData(ctx, db, site, err)
	}
	if err != nil {
		return nil, err
	}
	price, err := newPricing(loc, pr.Periods(), len(opts.Batteries))
	if err != nil {
		return nil, err
	}
	st, err := stream(ctx, db, site, loc, opts, []*pricing{price})
	if err != nil {
		return nil, err
	}
	if price.priced == 0 {
		return nil, noCoverage(site, pr, st.data.First, st.data.End)
	}
	rep := st.assemble(site, opts, price)
	if w := pr.HolidayWarning(); w != "" {
		rep.Warnings = append(rep.Warnings, w)
	}
	rep.Warnings = append(rep.Warnings, price.tariffWarnings()...)
	return rep, nil
}

// withoutData is the refusal of a site without billing periods: noPeriods,
// or, when the site has no data either, that first, since data comes
// before the billing periods that price it.
func withoutData(ctx context.Context, db *bun.DB, site *models.Site, noPeriods error) error {
	var has bool
	err := db.NewSelect().ColumnExpr("?", bun.SafeQuery("EXISTS (SELECT 1 FROM energy_days WHERE site_id = ?0) OR "+
		"EXISTS (SELECT 1 FROM import_cumulative WHERE site_id = ?0) OR EXISTS (SELECT 1 FROM export_cumulative WHERE site_id = ?0)", site.ID)).
		Scan(ctx, &has)
	if err != nil {
		return fmt.Errorf("site %q: looking for its data: %w", site.Name, err)
	}
	if has {
		return noPeriods
	}
	return userErr("site %q has no data and no billing periods: import its data with `solarview import`, then add billing periods with `solarview billing add`", site.Name)
}

func (o *Options) registry() *tariff.Registry {
	if o.Registry == nil {
		return tariff.Components
	}
	return o.Registry
}

// loadSite finds the site of a report and its time zone.
func loadSite(ctx context.Context, db *bun.DB, name string) (*models.Site, *time.Location, error) {
	site, err := sites.Choose(ctx, db, name)
	if err != nil {
		return nil, nil, err
	}
	loc, err := siteLocation(site)
	if err != nil {
		return nil, nil, err
	}
	return site, loc, nil
}

// siteLocation is the site's time zone, or an error naming the site.
func siteLocation(site *models.Site) (*time.Location, error) {
	loc, err := site.Location()
	if err != nil {
		return nil, fmt.Errorf("site %q: time zone %q: %w", site.Name, site.TimeZone, err)
	}
	return loc, nil
}

// streamed is what one pass over a site's summary gave: the simulation's
// totals, the gaps in the data, and the stretches where one grid channel
// had no rows while the data went on.
type streamed struct {
	data     *battery.Report
	gaps     []Gap
	channels []ChannelGap
	profile  *socProfile
}

// stream reads the site's summary once, in time order, simulates every
// battery of opts over it and feeds each interval to every pricing sink:
// one for `battery`, one per plan for `compare`. When the rows have to be
// read a second time (see streamSummary), the pricings are reset and the
// other sinks made anew, and a progress callback sees the pass start over.
func stream(ctx context.Context, db *bun.DB, site *models.Site, loc *time.Location, opts Options, prices []*pricing) (*streamed, error) {
	var s span
	if !opts.From.IsZero() {
		s.From = localMidnight(opts.From, loc)
	}
	if !opts.To.IsZero() {
		s.To = localMidnight(opts.To.AddDate(0, 0, 1), loc)
	}
	// Where each grid channel has rows is asked on another connection
	// while the summary streams: it needs nothing from the pass.
	type presence struct {
		rows []channelRow
		err  error
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	present := make(chan presence, 1)
	if opts.fleet {
		present <- presence{}
	} else {
		go func() {
			rows, err := channelPresence(pctx, db, site.ID, s)
			present <- presence{rows, err}
		}()
	}

	st := &streamed{}
	var gaps *gapList
	passes := 0
	err := streamSummary(ctx, db, site.ID, s, opts.fleet, func(src battery.Source) error {
		// A second pass starts again from the first interval (see
		// streamSummary), so every sink starts afresh.
		if passes++; passes > 1 {
			for _, p := range prices {
				if err := p.reset(); err != nil {
					return err
				}
			}
		}
		sinks := make([]battery.Sink, 0, len(prices)+4)
		for _, p := range prices {
			sinks = append(sinks, p)
		}
		gaps = &gapList{}
		sinks = append(sinks, gaps)
		if opts.Profile && len(opts.Batteries) == 1 {
			st.profile = newSOCProfile(loc, opts.Batteries[0].CapacityWh)
			sinks = append(sinks, st.profile)
		}
		if opts.Progress != nil {
			sinks = append(sinks, newProgress(opts.Progress, loc))
		}
		var err error
		st.data, err = battery.Run(ctx, src, opts.Batteries, battery.Sinks(sinks...), battery.RunOptions{})
		return err
	})
	if errors.Is(err, battery.ErrUnknownInterval) {
		// Fewer than two intervals: nothing to simulate, and no spacing to
		// infer their length from.
		return nil, userErr("site %q has too little data%s to simulate a battery (fewer than two intervals)", site.Name, describeSpan(opts))
	}
	if err != nil {
		return nil, err
	}
	if st.data.Intervals == 0 {
		return nil, userErr("site %q has no data%s: import some with `solarview import`", site.Name, describeSpan(opts))
	}
	st.gaps = gaps.gaps
	p := <-present
	if p.err != nil {
		return nil, p.err
	}
	if !opts.fleet {
		st.channels = channelGaps(p.rows, st.data, st.gaps)
	}
	return st, nil
}

// assemble turns a pass and one pricing sink into a report: the figures of
// `battery`, or of one plan in `compare`.
func (st *streamed) assemble(site *models.Site, opts Options, price *pricing) *Report {
	rep := &Report{
		Site: site.Name, TimeZone: site.TimeZone, From: opts.From, To: opts.To,
		Data: st.data, Gaps: st.gaps, ChannelGaps: st.channels, Unpriced: price.unpriced,
		Price: opts.Price, DiscountRate: opts.DiscountRate, LifetimeYears: opts.LifetimeYears,
		Currency: opts.Currency, Best: -1,
	}
	if rep.LifetimeYears == 0 {
		rep.LifetimeYears = DefaultLifetime
	}
	if rep.Currency == "" {
		rep.Currency = DefaultCurrency
	}
	for _, ps := range price.periods {
		if ps.done {
			rep.DaysPriced += ps.baseline.Days
		}
	}
	for i, cfg := range opts.Batteries {
		rep.Results = append(rep.Results, rep.result(i, cfg, st.data.Results[i], price.periods))
	}
	rep.pickBest()
	if st.profile != nil {
		rep.Profile = st.profile.points()
	}
	return rep
}

func (rep *Report) result(i int, cfg battery.Config, tot battery.Totals, periods []*periodState) Result {
	r := Result{Config: cfg, Label: cfg.Label(), Convention: tot.Convention, Totals: tot}
	for _, ps := range periods {
		if !ps.done {
			continue
		}
		b, c := ps.baseline, ps.batteries[i]
		pr := PeriodResult{
			Start: ps.period.Start, End: ps.period.End, Tariff: ps.period.Tariff.Name,
			Days: b.Days, PeriodDays: ps.period.Days(),
			BaselineImportWh: b.ImportWh, BaselineExportWh: b.ExportWh,
			ImportWh: c.ImportWh, ExportWh: c.ExportWh,
			BaselineCosts: b.Costs, Costs: c.Costs,
		}
		r.Periods = append(r.Periods, pr)
		// Periods are bills: each is rounded to the cent, and the totals
		// are sums of bills, so every table adds up.
		r.BaselineCost += pr.BaselineBill()
		r.Cost += pr.Bill()
	}
	r.Savings = r.BaselineCost - r.Cost
	r.SavingsPerDay = perDay(r.Savings, rep.DaysPriced)
	r.SavingsPerYear = perYear(r.Savings, rep.DaysPriced)
	r.PaybackYears = math.NaN()
	if rep.Price != nil {
		p := rep.Price.For(cfg.CapacityWh)
		r.Price = &p
		r.PaybackYears = paybackYears(p, r.SavingsPerYear)
		r.PaysBackInLifetime = r.PaybackYears <= float64(rep.LifetimeYears)
		if rep.DiscountRate != nil {
			v := npv(p, r.SavingsPerYear, *rep.DiscountRate, rep.LifetimeYears)
			r.NPV = &v
		}
	}
	return r
}

// pickBest marks the shortest payback when there is a price, else the
// largest savings.
func (rep *Report) pickBest() {
	if rep.Price != nil {
		rep.BestBy = "payback"
		for i, r := range rep.Results {
			if !math.IsInf(r.PaybackYears, 1) && (rep.Best < 0 || r.PaybackYears < rep.Results[rep.Best].PaybackYears) {
				rep.Best = i
			}
		}
		return
	}
	rep.BestBy = "savings"
	for i, r := range rep.Results {
		if r.SavingsPerYear > 0 && (rep.Best < 0 || r.SavingsPerYear > rep.Results[rep.Best].SavingsPerYear) {
			rep.Best = i
		}
	}
}

func describeSpan(o Options) string {
	switch {
	case !o.From.IsZero() && !o.To.IsZero():
		return fmt.Sprintf(" from %s to %s", o.From.Format(time.DateOnly), o.To.Format(time.DateOnly))
	case !o.From.IsZero():
		return " from " + o.From.Format(time.DateOnly)
	case !o.To.IsZero():
		return " up to " + o.To.Format(time.DateOnly)
	}
	return ""
}

// noCoverage explains that no billing period covers the data, which runs
// from first to end (exclusive): the data's whole range, as read.
func noCoverage(site *models.Site, pr *tariff.Pricer, first, end time.Time) error {
	loc := pr.Location()
	ps := pr.Periods()
	return userErr("no billing period of site %q covers its data (%s to %s; billing periods cover %s): add one with `solarview billing add`",
		site.Name, first.In(loc).Format(time.DateOnly), end.Add(-time.Nanosecond).In(loc).Format(time.DateOnly),
		tariff.FormatRange(ps[0].Start, ps[len(ps)-1].End))
}
