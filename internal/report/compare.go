package report

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

// CompareOptions says what `solarview compare` ranks: the report's options
// (site, batteries, price, dates) and the plans.
type CompareOptions struct {
	Options
	// Tariffs names the plans to price the site's data on; AllTariffs
	// takes every stored tariff instead.
	Tariffs    []string
	AllTariffs bool
}

// Boundaries say which bills a plan is priced in.
const (
	// BillingPeriodBoundaries: the site's own billing periods, each priced
	// on the plan instead of the tariff it was on.
	BillingPeriodBoundaries = "billing periods"
	// CalendarMonthBoundaries: local calendar months, for a site without
	// billing periods (and so without a current plan).
	CalendarMonthBoundaries = "calendar months"
)

// Comparison is a computed comparison: the site's data priced on each plan,
// without and with each battery, from one pass over the data.
type Comparison struct {
	Site, TimeZone string
	From, To       time.Time
	// Boundaries is BillingPeriodBoundaries or CalendarMonthBoundaries.
	Boundaries string
	// Current is the site's billing periods as they are, the reference;
	// nil for a site without billing periods.
	Current *Plan
	// Plans are the plans asked for, cheapest first without a battery
	// (then by name).
	Plans []*Plan
	// Warnings are lines to print once, such as a plan that prices public
	// holidays when no holiday calendar covers the data.
	Warnings []string
}

// Plan is one plan's outcome: a battery report of its own (Report holds
// every battery's result on this plan, exactly as `battery` would print
// it were the site's billing periods on this plan) and the figures the
// comparison ranks by.
type Plan struct {
	Name    string
	Current bool
	// Tariffs lists the tariffs the plan bills on: one, or for the current
	// plan every tariff of the site's billing periods.
	Tariffs []string
	Report  *Report
	// YearlyCost is the cost per year without a battery (the bills' total
	// over the days priced, times 365).
	YearlyCost models.Money
	// SavingsVsCurrent is the current plan's YearlyCost minus this one's;
	// nil without a current plan.
	SavingsVsCurrent *models.Money
	// BestYearlyCost is the yearly cost with the plan's best battery
	// (Report.Best; by payback with a price, by savings without), or
	// YearlyCost when no battery saves anything; BestSavingsVsCurrent is
	// the current plan's YearlyCost minus it.
	BestYearlyCost       models.Money
	BestSavingsVsCurrent *models.Money
}

// BestResult is the plan's best battery, nil when none saves money.
func (p *Plan) BestResult() *Result {
	if p.Report.Best < 0 {
		return nil
	}
	return &p.Report.Results[p.Report.Best]
}

// First is any plan's report: the data, gaps and days priced are the same
// for every plan.
func (c *Comparison) First() *Report {
	if c.Current != nil {
		return c.Current.Report
	}
	return c.Plans[0].Report
}

// check refuses bad options before anything is read.
func (o *CompareOptions) check() error {
	if err := o.Options.check(); err != nil {
		return err
	}
	switch {
	case o.AllTariffs && len(o.Tariffs) > 0:
		return userErr("give either --tariff or --all-tariffs, not both")
	case !o.AllTariffs && len(o.Tariffs) == 0:
		return userErr("name the plans to compare with --tariff NAME (repeat it for each) or --all-tariffs")
	}
	seen := map[string]bool{}
	for _, n := range o.Tariffs {
		if seen[n] {
			return userErr("tariff %q is named twice", n)
		}
		seen[n] = true
	}
	return nil
}

// ComputeComparison reads the site's summary once and prices it, without
// and with every battery of opts, on the site's current billing periods
// and on each plan: one pricing sink per plan in the same pass, so the
// data is read once whatever the number of plans and batteries.
//
// A plan is priced as if the site had been on it: in the site's own
// billing periods (same dates, this plan's tariff), so its bills line up
// with the current ones, or in local calendar months for a site without
// billing periods.
func ComputeComparison(ctx context.Context, db *bun.DB, opts CompareOptions) (*Comparison, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	reg := opts.registry()
	site, loc, err := loadSite(ctx, db, opts.Site)
	if err != nil {
		return nil, err
	}
	var plans []*tariff.Tariff
	if opts.AllTariffs {
		if plans, err = tariff.LoadTariffs(ctx, db, reg); err != nil {
			return nil, err
		}
		if len(plans) == 0 {
			return nil, userErr("there are no tariffs to compare: add some with `solarview tariff add`")
		}
	} else {
		for _, name := range opts.Tariffs {
			t, err := tariff.LoadTariff(ctx, db, reg, name)
			if err != nil {
				return nil, err
			}
			plans = append(plans, t)
		}
	}

	rows, err := tariff.ListBillingPeriods(ctx, db, site.ID)
	if err != nil {
		return nil, err
	}
	// A plan that prices public holidays needs the site's calendar, whether
	// or not the site's current tariffs do.
	var holidays *tariff.Holidays
	for _, t := range plans {
		if t.UsesHolidays() {
			if holidays, err = tariff.LoadHolidays(ctx, db, site.TimeZone); err != nil {
				return nil, err
			}
			break
		}
	}
	n := len(opts.Batteries)
	cmp := &Comparison{Site: site.Name, TimeZone: site.TimeZone, From: opts.From, To: opts.To}
	var current *tariff.Pricer
	var prices []*pricing
	if len(rows) > 0 {
		cmp.Boundaries = BillingPeriodBoundaries
		if current, err = tariff.LoadPricer(ctx, db, reg, site); err != nil {
			return nil, err
		}
		p, err := newPricing(loc, current.Periods(), n)
		if err != nil {
			return nil, err
		}
		prices = append(prices, p)
		for _, t := range plans {
			ps := current.Periods()
			for i := range ps {
				ps[i].Tariff = t
				if t.UsesHolidays() {
					ps[i].Holidays = holidays
				}
			}
			p, err := newPricing(loc, ps, n)
			if err != nil {
				return nil, err
			}
			prices = append(prices, p)
		}
	} else {
		cmp.Boundaries = CalendarMonthBoundaries
		for _, t := range plans {
			p, err := newMonthlyPricing(loc, t, holidays, n)
			if err != nil {
				return nil, err
			}
			prices = append(prices, p)
		}
	}

	st, err := stream(ctx, db, site, loc, opts.Options, prices)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range prices {
		ws := p.tariffWarnings()
		if w := p.holidayWarning(); w != "" {
			ws = append([]string{w}, ws...)
		}
		for _, w := range ws {
			if !seen[w] {
				seen[w] = true
				cmp.Warnings = append(cmp.Warnings, w)
			}
		}
	}
	if current != nil {
		if prices[0].priced == 0 {
			return nil, noCoverage(site, current, st.data.First, st.data.End)
		}
		var names []string
		seen = map[string]bool{}
		for _, per := range current.Periods() {
			if !seen[per.Tariff.Name] {
				seen[per.Tariff.Name] = true
				names = append(names, per.Tariff.Name)
			}
		}
		cmp.Current = newPlan("current: "+strings.Join(names, ", "), names, st.assemble(site, opts.Options, prices[0]))
		cmp.Current.Current = true
		prices = prices[1:]
	}
	for i, t := range plans {
		cmp.Plans = append(cmp.Plans, newPlan(t.Name, []string{t.Name}, st.assemble(site, opts.Options, prices[i])))
	}
	if cmp.Current != nil {
		ref := cmp.Current.YearlyCost
		for _, p := range append([]*Plan{cmp.Current}, cmp.Plans...) {
			s, b := ref-p.YearlyCost, ref-p.BestYearlyCost
			p.SavingsVsCurrent, p.BestSavingsVsCurrent = &s, &b
		}
	}
	sort.SliceStable(cmp.Plans, func(i, j int) bool {
		a, b := cmp.Plans[i], cmp.Plans[j]
		if a.YearlyCost != b.YearlyCost {
			return a.YearlyCost < b.YearlyCost
		}
		return a.Name < b.Name
	})
	// Printed once, with the data lines of the report shown first.
	if cmp.Current != nil || len(cmp.Plans) > 0 {
		first := cmp.First()
		first.Warnings = append(first.Warnings, cmp.Warnings...)
	}
	return cmp, nil
}

func newPlan(name string, tariffs []string, rep *Report) *Plan {
	p := &Plan{Name: name, Tariffs: tariffs, Report: rep}
	if len(rep.Results) > 0 {
		p.YearlyCost = perYear(rep.Results[0].BaselineCost, rep.DaysPriced)
	}
	p.BestYearlyCost = p.YearlyCost
	if r := p.BestResult(); r != nil {
		p.BestYearlyCost = perYear(r.Cost, rep.DaysPriced)
	}
	return p
}

// PerYear scales an amount over the days priced, which are the same on
// every plan, to a year: how a plan's cost with any battery compares with
// the plans' YearlyCost.
func (c *Comparison) PerYear(m models.Money) models.Money {
	return perYear(m, c.First().DaysPriced)
}

// Ranked is the current plan (if any) followed by the plans, cheapest
// first: the rows of every output.
func (c *Comparison) Ranked() []*Plan {
	out := make([]*Plan, 0, len(c.Plans)+1)
	if c.Current != nil {
		out = append(out, c.Current)
	}
	return append(out, c.Plans...)
}
