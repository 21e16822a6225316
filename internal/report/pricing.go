package report

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/tariff"
)

// pricing is the [battery.Sink] that prices the data without a battery and
// with each configuration, per billing period, in the same pass that
// simulates them.
//
// Each billing period gets a pricer of its own and fresh accumulators while
// the data is inside it; when the data moves on, the period is priced and
// only its totals are kept. The tariff engine keeps per-day state for every
// period it has seen, so one accumulator for the whole run would grow with
// the length of the data; this way memory is one period's days, whatever
// the number of years reported.
type pricing struct {
	periods []*periodState
	nconf   int

	// The stretch of time the last interval fell in: a period (cur ≥ 0) or
	// the gap before, between or after periods (cur = -1). Bounds are Unix
	// nanoseconds, so staying inside costs two integer comparisons.
	cur     int
	lo, hi  int64
	pricer  *tariff.Pricer
	locator *tariff.Locator // the period's: it keeps the local day between intervals
	base    *tariff.Accumulator
	accs    []*tariff.Accumulator

	// The slot being summed (see tariff.Instant.SameSlot): n intervals
	// from at, with the baseline's and each battery's summed energies.
	// With 5-minute data six intervals share a slot, and each stream pays
	// one Add per slot instead of one per interval.
	at               tariff.Instant
	n                int
	baseImp, baseExp float64
	imp, exp         []float64
	// cl is the slot's controlled load, the same with and without a
	// battery (the battery never supplies it); clSeen is set once an
	// interval of the slot metered it.
	cl     float64
	clSeen bool

	// monthly, when set, prices the data on this tariff in calendar months
	// (in loc), made as the data reaches them: `compare` on a site
	// without billing periods.
	monthly *tariff.Tariff
	loc     *time.Location // the site's zone
	// holidays is the public-holiday calendar the monthly periods carry.
	holidays *tariff.Holidays

	// Intervals priced, and outside every billing period.
	priced   int
	unpriced unpriced
}

// periodState is one billing period's pricer and, once the data has left
// it, its totals.
type periodState struct {
	period tariff.Period
	pricer *tariff.Pricer
	lo, hi int64 // local midnight of the first day and of the day after the last

	done      bool
	baseline  periodTotals
	batteries []periodTotals
}

// periodTotals is what one stream (baseline or one battery) cost in one
// billing period, exact.
type periodTotals struct {
	Days               int
	ImportWh, ExportWh float64
	// ControlledLoadWh is the controlled load metered, AtGeneralWh the part
	// of it priced at the general rates (see tariff.DayCost).
	ControlledLoadWh, AtGeneralWh float64
	Costs                         tariff.Costs
}

// unpriced counts intervals outside every billing period.
type unpriced struct {
	Intervals   int
	First, Last time.Time
}

func (u *unpriced) add(t time.Time) {
	if u.Intervals == 0 {
		u.First = t
	}
	u.Last = t
	u.Intervals++
}

// newPricing compiles a pricer per billing period (each checks its tariff,
// so a tariff without components is refused before any data is read).
func newPricing(loc *time.Location, periods []tariff.Period, nconf int) (*pricing, error) {
	p := &pricing{nconf: nconf, loc: loc, cur: -1, lo: math.MaxInt64, hi: math.MinInt64,
		imp: make([]float64, nconf), exp: make([]float64, nconf)}
	for _, per := range periods {
		pr, err := tariff.NewPricer(loc, []tariff.Period{per})
		if err != nil {
			return nil, err
		}
		p.periods = append(p.periods, &periodState{
			period: per,
			pricer: pr,
			lo:     localMidnight(per.Start, loc).UnixNano(),
			hi:     localMidnight(per.End, loc).UnixNano(),
		})
	}
	sort.Slice(p.periods, func(i, j int) bool { return p.periods[i].lo < p.periods[j].lo })
	for i := 1; i < len(p.periods); i++ {
		if a, b := p.periods[i-1], p.periods[i]; b.lo < a.hi {
			return nil, fmt.Errorf("billing periods %s and %s overlap",
				tariff.FormatRange(a.period.Start, a.period.End), tariff.FormatRange(b.period.Start, b.period.End))
		}
	}
	return p, nil
}

// reset returns p to what its constructor made, every interval forgotten,
// for a pass over the data that starts again.
func (p *pricing) reset() error {
	var fresh *pricing
	var err error
	if p.monthly != nil {
		fresh, err = newMonthlyPricing(p.loc, p.monthly, p.holidays, p.nconf)
	} else {
		fresh, err = newPricing(p.loc, p.periodList(), p.nconf)
	}
	if err != nil {
		return err
	}
	*p = *fresh
	return nil
}

// localMidnight is the instant the calendar date of d starts in loc.
func localMidnight(d time.Time, loc *time.Location) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// Interval implements [battery.Sink].
func (p *pricing) Interval(in battery.Interval, out []battery.Result) error {
	t := in.Start.UnixNano()
	if t < p.lo || t >= p.hi {
		if err := p.move(t); err != nil {
			return err
		}
	}
	if p.cur < 0 {
		// Data no period covers is read to its end all the same, so that
		// the error can give the data's real range.
		p.unpriced.add(in.Start)
		return nil
	}
	p.priced++
	at := p.locator.Locate(in.Start)
	if p.n > 0 && !at.SameSlot(p.at) {
		p.flushSlot()
	}
	if p.n == 0 {
		p.at = at
	}
	p.n++
	// x == x is false only for NaN: missing values are left out, as Add
	// would count them as zero.
	if v := in.Import; v == v {
		p.baseImp += v
	}
	if v := in.Export; v == v {
		p.baseExp += v
	}
	if v := in.ControlledLoad; v == v {
		p.cl += v
		p.clSeen = true
	}
	imp, exp := p.imp[:len(out)], p.exp[:len(out)]
	for i := range out {
		if v := out[i].Import; v == v {
			imp[i] += v
		}
		if v := out[i].Export; v == v {
			exp[i] += v
		}
	}
	return nil
}

// flushSlot adds the slot being summed to every stream.
func (p *pricing) flushSlot() {
	if p.n == 0 {
		return
	}
	cl := math.NaN()
	if p.clSeen {
		cl = p.cl
	}
	p.base.AddSlotCL(p.at, p.n, p.baseImp, p.baseExp, cl)
	for i, a := range p.accs {
		a.AddSlotCL(p.at, p.n, p.imp[i], p.exp[i], cl)
	}
	p.n, p.baseImp, p.baseExp, p.cl, p.clSeen = 0, 0, 0, 0, false
	clear(p.imp)
	clear(p.exp)
}

// move closes the stretch the data just left and opens the one containing
// t.
func (p *pricing) move(t int64) error {
	if err := p.close(); err != nil {
		return err
	}
	if p.monthly != nil {
		if err := p.addMonth(t); err != nil {
			return err
		}
	}
	j := sort.Search(len(p.periods), func(i int) bool { return p.periods[i].hi > t })
	if j < len(p.periods) && p.periods[j].lo <= t {
		ps := p.periods[j]
		if ps.done {
			// battery.Run refuses data out of time order, so this is a bug.
			return fmt.Errorf("billing period %s entered twice", tariff.FormatRange(ps.period.Start, ps.period.End))
		}
		p.cur, p.lo, p.hi, p.pricer = j, ps.lo, ps.hi, ps.pricer
		p.locator = ps.pricer.NewLocator()
		p.base = ps.pricer.NewAccumulator()
		if cap(p.accs) < p.nconf {
			p.accs = make([]*tariff.Accumulator, p.nconf)
		}
		p.accs = p.accs[:p.nconf]
		for i := range p.accs {
			p.accs[i] = ps.pricer.NewAccumulator()
		}
		return nil
	}
	p.cur, p.lo, p.hi = -1, math.MinInt64, math.MaxInt64
	if j > 0 {
		p.lo = p.periods[j-1].hi
	}
	if j < len(p.periods) {
		p.hi = p.periods[j].lo
	}
	return nil
}

// close prices the period being summed, if any, and lets its per-day state
// go.
func (p *pricing) close() error {
	if p.cur < 0 {
		return nil
	}
	p.flushSlot()
	ps := p.periods[p.cur]
	p.cur = -1
	var err error
	if ps.baseline, err = totalsOf(p.base); err != nil {
		return err
	}
	ps.batteries = make([]periodTotals, len(p.accs))
	for i, a := range p.accs {
		if ps.batteries[i], err = totalsOf(a); err != nil {
			return err
		}
		p.accs[i] = nil
	}
	p.base = nil
	ps.done = true
	return nil
}

func totalsOf(a *tariff.Accumulator) (periodTotals, error) {
	res, err := a.Result()
	if err != nil {
		return periodTotals{}, fmt.Errorf("pricing: %w", err)
	}
	var t periodTotals
	for _, pc := range res.Periods {
		t.Days += pc.DaysWithData
		t.ImportWh += pc.ImportWh
		t.ExportWh += pc.ExportWh
		t.ControlledLoadWh += pc.ControlledLoadWh
		t.AtGeneralWh += pc.ControlledLoadAtGeneralWh
		t.Costs.Add(pc.Costs)
	}
	return t, nil
}

// Flush implements [battery.Flusher]: the last period is priced at the end
// of the data.
func (p *pricing) Flush() error { return p.close() }

// newMonthlyPricing prices on tr in local calendar months, for data no
// billing period describes: each month is a bill.
func newMonthlyPricing(loc *time.Location, tr *tariff.Tariff, holidays *tariff.Holidays, nconf int) (*pricing, error) {
	if err := tr.Validate(); err != nil {
		return nil, fmt.Errorf("tariff %q: %w", tr.Name, err)
	}
	p, err := newPricing(loc, nil, nconf)
	if err != nil {
		return nil, err
	}
	p.monthly, p.loc, p.holidays = tr, loc, holidays
	return p, nil
}

// addMonth adds the calendar month containing t (Unix nanoseconds) as a
// period, unless a period already holds t. The data comes in time order,
// so a new month is always after every period so far.
func (p *pricing) addMonth(t int64) error {
	if n := len(p.periods); n > 0 && t < p.periods[n-1].hi {
		return nil
	}
	lt := time.Unix(0, t).In(p.loc)
	start := time.Date(lt.Year(), lt.Month(), 1, 0, 0, 0, 0, time.UTC)
	per := tariff.Period{Start: start, End: start.AddDate(0, 1, 0), Tariff: p.monthly, Holidays: p.holidays}
	pr, err := tariff.NewPricer(p.loc, []tariff.Period{per})
	if err != nil {
		return err
	}
	p.periods = append(p.periods, &periodState{
		period: per, pricer: pr,
		lo: localMidnight(per.Start, p.loc).UnixNano(),
		hi: localMidnight(per.End, p.loc).UnixNano(),
	})
	return nil
}

// holidayWarning is the public-holiday warning (see
// tariff.Pricer.HolidayWarning) for the periods p priced, or "".
func (p *pricing) holidayWarning() string {
	return tariff.HolidayWarning(p.periodList())
}

// periodList is the billing periods p prices, in order: the site's, or the
// monthly ones made so far.
func (p *pricing) periodList() []tariff.Period {
	ps := make([]tariff.Period, len(p.periods))
	for i, st := range p.periods {
		ps[i] = st.period
	}
	return ps
}

// tariffWarnings say, per tariff, how much of the site's controlled load
// the general rates priced (all of it on a tariff without a controlled-load
// rate, what fell outside its controlled-load windows on one with such
// rates; nothing at a site that meters no controlled load), and that a
// demand charge per kVA was measured in kW.
func (p *pricing) tariffWarnings() []string {
	type sums struct{ cl, general float64 }
	kva := map[string]bool{}
	var names []string
	byTariff := map[string]*sums{}
	rated := map[string]bool{}
	for _, ps := range p.periods {
		if !ps.done {
			continue
		}
		t := ps.period.Tariff
		s := byTariff[t.Name]
		if s == nil {
			s = &sums{}
			byTariff[t.Name] = s
			names = append(names, t.Name)
			for _, c := range t.Components {
				rated[t.Name] = rated[t.Name] || tariff.ForControlledLoad(c) && c.Category() == tariff.Usage
				if d, ok := c.(*tariff.DemandCharge); ok && d.PerKVA {
					kva[t.Name] = true
				}
			}
		}
		s.cl += ps.baseline.ControlledLoadWh
		s.general += ps.baseline.AtGeneralWh
	}
	var out []string
	for _, name := range names {
		if kva[name] {
			out = append(out, fmt.Sprintf("tariff %q charges demand per kVA; with no power-factor data it is measured in kW, so its demand charges are a lower bound", name))
		}
		s := byTariff[name]
		switch {
		case s.general <= 0:
		case !rated[name]:
			out = append(out, fmt.Sprintf("tariff %q has no controlled-load rate: the site's %.1f kWh of controlled load are priced at its general rates",
				name, s.cl/1000))
		default:
			out = append(out, fmt.Sprintf("%.1f of the site's %.1f kWh of controlled load fell outside tariff %q's controlled-load rates and are priced at its general rates",
				s.general/1000, s.cl/1000, name))
		}
	}
	return out
}
