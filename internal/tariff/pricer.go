package tariff

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"time"

	"github.com/solarview/solarview/models"
)

// Period puts a site on a tariff for a range of local dates, as a row of
// billing_periods does.
type Period struct {
	ID int64
	// Start is the first local date of the period and End the day after its
	// last (the daterange's exclusive upper bound). Only the calendar date
	// of each is used, whatever its location.
	Start, End time.Time
	Tariff     *Tariff
	// Holidays is the site's public holiday calendar, for windows that
	// name public holidays; nil when none is loaded.
	Holidays *Holidays
}

// Days is the number of calendar days in p.
func (p Period) Days() int { return int(dayNumber(p.End) - dayNumber(p.Start)) }

// Pricer prices a site's intervals under its billing periods. It is
// immutable once built, so one Pricer serves any number of [Accumulator]s,
// for instance the baseline and every battery configuration of a sweep.
type Pricer struct {
	loc     *time.Location
	periods []compiledPeriod
}

type compiledPeriod struct {
	Period
	start, end int32 // day numbers, end exclusive
	windows    []Window
	// nem is set when a window reads NEM time, holidays when one names
	// public holidays: Locate only reads those clocks when needed.
	nem, holidays bool
	// cl marks the components for the controlled-load circuit, clRates
	// those of them that price its energy (usage and block rates).
	cl, clRates uint64
}

// NewPricer checks the billing periods (dates in order, no overlaps, every
// tariff valid) and compiles their tariffs for loc, the site's time zone:
// days, and the tariff that applies to them, are the site's local days.
func NewPricer(loc *time.Location, periods []Period) (*Pricer, error) {
	if loc == nil {
		loc = time.UTC
	}
	p := &Pricer{loc: loc, periods: make([]compiledPeriod, 0, len(periods))}
	for _, per := range periods {
		cp := compiledPeriod{Period: per, start: dayNumber(per.Start), end: dayNumber(per.End)}
		if cp.end <= cp.start {
			return nil, fmt.Errorf("billing period %s: ends before it starts", describePeriod(per))
		}
		if per.Tariff == nil {
			return nil, fmt.Errorf("billing period %s: no tariff", describePeriod(per))
		}
		if err := per.Tariff.Validate(); err != nil {
			return nil, fmt.Errorf("billing period %s: %w", describePeriod(per), err)
		}
		for _, c := range per.Tariff.Components {
			w, err := CompileWindow(c.When())
			if err != nil {
				return nil, fmt.Errorf("billing period %s: tariff %q: %w", describePeriod(per), per.Tariff.Name, err)
			}
			if ForControlledLoad(c) {
				cp.cl |= 1 << len(cp.windows)
				if c.Category() == Usage {
					cp.clRates |= 1 << len(cp.windows)
				}
			}
			cp.windows = append(cp.windows, w)
			cp.nem = cp.nem || w.NEM()
			cp.holidays = cp.holidays || w.UsesHolidays()
		}
		p.periods = append(p.periods, cp)
	}
	sort.Slice(p.periods, func(i, j int) bool { return p.periods[i].start < p.periods[j].start })
	for i := 1; i < len(p.periods); i++ {
		if a, b := p.periods[i-1], p.periods[i]; b.start < a.end {
			return nil, fmt.Errorf("billing periods %s and %s overlap", describePeriod(a.Period), describePeriod(b.Period))
		}
	}
	return p, nil
}

// Location is the site's time zone the pricer works in.
func (p *Pricer) Location() *time.Location { return p.loc }

// Periods returns the billing periods in date order.
func (p *Pricer) Periods() []Period {
	out := make([]Period, len(p.periods))
	for i, cp := range p.periods {
		out[i] = cp.Period
	}
	return out
}

// Instant is an interval's start located in the site's billing periods:
// its period, local day, demand half-hour and the components whose window
// contains it. Computing it is the per-interval work that does not depend on
// the energies, so a sweep does it once and hands it to every
// [Accumulator].
type Instant struct {
	ns     int64 // the interval's start, Unix nanoseconds: cheaper to compare than a time.Time
	period int32 // index into Pricer.periods; -1 when no period covers it
	day    int32 // local day within the period
	block  int64 // half-hour since the epoch
	mask   uint64
}

// Covered reports whether a billing period covers the instant.
func (in Instant) Covered() bool { return in.period >= 0 }

// Locate places the interval starting at t.
func (p *Pricer) Locate(t time.Time) Instant {
	lt := t.In(p.loc)
	dn := dayNumber(lt)
	i := sort.Search(len(p.periods), func(i int) bool { return p.periods[i].end > dn })
	if i == len(p.periods) || p.periods[i].start > dn {
		return Instant{ns: t.UnixNano(), period: -1}
	}
	cp := &p.periods[i]
	c := ClockOf(lt)
	var nc Clock
	if cp.holidays {
		c.Holiday = cp.Holidays.onDay(dn)
	}
	if cp.nem {
		nt := t.In(NEMTime)
		nc = ClockOf(nt)
		if cp.holidays {
			nc.Holiday = cp.Holidays.onDay(dayNumber(nt))
		}
	}
	var mask uint64
	for j, w := range cp.windows {
		at := c
		if w.nem {
			at = nc
		}
		if w.Contains(at) {
			mask |= 1 << j
		}
	}
	return Instant{ns: t.UnixNano(), period: int32(i), day: dn - cp.start, block: demandHalfHour(t.Unix(), c.Second), mask: mask}
}

// demandHalfHour numbers the local clock half-hour containing the instant
// unix (seconds since the epoch) whose wall clock reads localSecond seconds
// after midnight, as demand is measured. Shifting the epoch by the part of
// the zone's UTC offset that is not a whole half-hour (15 minutes in
// Australia/Eucla's +8:45 and Asia/Kathmandu's +5:45, nothing in most
// zones) puts the boundaries on :00 and :30 of the wall clock. Only that
// remainder is added, never the whole offset, so the numbering keeps
// increasing through a daylight-saving change and the hour that repeats
// when clocks go back gives half-hours of its own. The remainder comes from
// the clock already read: local and UTC seconds of the day differ by the
// offset modulo a day, which a whole number of half-hours divides.
func demandHalfHour(unix int64, localSecond int32) int64 {
	rem := (int64(localSecond) - unix%86400) % demandBlock
	if rem < 0 {
		rem += demandBlock
	}
	s := unix + rem
	if s < 0 {
		s -= demandBlock - 1
	}
	return s / demandBlock
}

// demandBlock is the length of a demand measurement, in seconds: the
// half-hour the NEM settles and network demand tariffs measure on.
const demandBlock = 30 * 60

// Accumulator sums one stream of intervals (the data without a battery, or
// one battery configuration) into per-day measurements and prices them at
// the end. Memory is a few numbers per component per day of the billing
// periods that received data, whatever the number of intervals.
type Accumulator struct {
	p       *Pricer
	periods []periodState

	started bool
	last    int64 // Unix nanoseconds of the latest interval
	// backwards counts intervals that started before the previous one.
	backwards int
	uncovered Uncovered

	// The demand half-hour being summed: per component, the import inside
	// the component's window.
	block               int64
	blockPeriod, blockD int32
	blockWh             [maxComponents]float64
	blockMask           uint64
}

type periodState struct {
	days  []dayState
	meas  []Measure // days × components
	peaks []float64 // per component: the period's highest half-hour, kW
}

type dayState struct {
	intervals        int
	importWh, export float64
	// controlledLoad is the day's metered controlled load and clGeneral
	// the part of it no controlled-load rate priced; clMetered is set when
	// the site metered controlled load at all that day.
	controlledLoad, clGeneral float64
	clMetered                 bool
}

// NewAccumulator starts an empty stream.
func (p *Pricer) NewAccumulator() *Accumulator {
	return &Accumulator{p: p, periods: make([]periodState, len(p.periods)), blockPeriod: -1}
}

// AddAt adds the interval starting at t: [Pricer.Locate] and [Accumulator.Add]
// in one call, for a single stream.
func (a *Accumulator) AddAt(t time.Time, importWh, exportWh float64) {
	a.Add(a.p.Locate(t), importWh, exportWh)
}

// Add adds one interval's grid import and export (Wh) at a located instant,
// for a site that meters no controlled load. Intervals must come in time
// order, so demand half-hours can be closed as the stream moves on;
// [Accumulator.Result] reports a stream that went backwards. NaN energies
// (missing data) count as zero.
func (a *Accumulator) Add(in Instant, importWh, exportWh float64) {
	a.add(in, 1, importWh, exportWh, math.NaN())
}

// AddCL is [Accumulator.Add] for a site that meters controlled load:
// controlledWh is the part of importWh on controlled-load channels, NaN
// when the site does not meter it. Where a controlled-load rate of the
// tariff applies, that energy is priced at it and the rest of the import is
// the general circuit's; elsewhere, and on tariffs without such a rate, all
// of the import is priced at the general rates.
func (a *Accumulator) AddCL(in Instant, importWh, exportWh, controlledWh float64) {
	a.add(in, 1, importWh, exportWh, controlledWh)
}

// add adds count intervals of one slot (see [Accumulator.AddSlot]) whose
// energies sum to importWh, exportWh and controlledWh, inside a billing
// period; outside every period it counts one uncovered interval.
func (a *Accumulator) add(in Instant, count int, importWh, exportWh, controlledWh float64) {
	if a.started && in.ns < a.last {
		a.backwards++
	}
	a.started, a.last = true, in.ns
	if in.period < 0 {
		a.uncovered.add(time.Unix(0, in.ns).In(a.p.loc))
		return
	}
	if math.IsNaN(importWh) {
		importWh = 0
	}
	if math.IsNaN(exportWh) {
		exportWh = 0
	}
	clMetered := !math.IsNaN(controlledWh)
	if !clMetered {
		controlledWh = 0
	}
	cp := &a.p.periods[in.period]
	// The general circuit's import: all of it, unless a controlled-load
	// rate takes the controlled load's part. Never below zero: more
	// controlled load than import is inconsistent data, not a credit.
	general, clGeneral := importWh, controlledWh
	if in.mask&cp.clRates != 0 {
		general, clGeneral = max(importWh-controlledWh, 0), 0
	}
	n := len(cp.windows)
	ps := &a.periods[in.period]
	if ps.days == nil {
		days := int(cp.end - cp.start)
		ps.days = make([]dayState, days)
		ps.meas = make([]Measure, days*n)
		ps.peaks = make([]float64, n)
	}
	ds := &ps.days[in.day]
	ds.intervals += count
	ds.importWh += importWh
	ds.export += exportWh
	ds.controlledLoad += controlledWh
	ds.clGeneral += clGeneral
	ds.clMetered = ds.clMetered || clMetered
	meas := ps.meas[int(in.day)*n : int(in.day+1)*n]
	if in.block != a.block || in.period != a.blockPeriod {
		a.closeBlock()
		a.block, a.blockPeriod, a.blockD = in.block, in.period, in.day
	}
	for m := in.mask; m != 0; m &= m - 1 {
		j := bits.TrailingZeros64(m)
		meas[j].Intervals += count
		if cp.cl&(1<<j) != 0 {
			meas[j].ImportWh += controlledWh
			continue
		}
		meas[j].ImportWh += general
		meas[j].ExportWh += exportWh
		a.blockWh[j] += general
	}
	// Demand is the general circuit's: the controlled-load circuit has no
	// demand charge of its own.
	a.blockMask |= in.mask &^ cp.cl
}

// closeBlock turns the finished half-hour's import into demand (kW) and
// keeps the day's and the period's maxima.
func (a *Accumulator) closeBlock() {
	if a.blockPeriod < 0 {
		return
	}
	ps := &a.periods[a.blockPeriod]
	n := len(ps.peaks)
	meas := ps.meas[int(a.blockD)*n : int(a.blockD+1)*n]
	for m := a.blockMask; m != 0; m &= m - 1 {
		j := bits.TrailingZeros64(m)
		kw := a.blockWh[j] / 1000 / (demandBlock / 3600.0)
		meas[j].DayPeakKW = max(meas[j].DayPeakKW, kw)
		ps.peaks[j] = max(ps.peaks[j], kw)
		a.blockWh[j] = 0
	}
	a.blockMask = 0
	a.blockPeriod = -1
}

// Uncovered counts intervals no billing period covers.
type Uncovered struct {
	Intervals int
	// First and Last are the earliest and latest such intervals, in the
	// site's time zone.
	First, Last time.Time
}

func (u *Uncovered) add(t time.Time) {
	if u.Intervals == 0 || t.Before(u.First) {
		u.First = t
	}
	if u.Intervals == 0 || t.After(u.Last) {
		u.Last = t
	}
	u.Intervals++
}

// UncoveredError reports data outside every billing period: the days cannot
// be priced, so totals would silently leave them out.
type UncoveredError struct{ Uncovered }

func (e *UncoveredError) Error() string {
	first, last := e.First.Format(time.DateOnly), e.Last.Format(time.DateOnly)
	days := first
	if first != last {
		days = first + " to " + last
	}
	return fmt.Sprintf("no billing period covers %s (%d intervals)", days, e.Intervals)
}

// ErrOutOfOrder is returned by [Accumulator.Result] for intervals fed out of
// time order, which would split demand half-hours.
var ErrOutOfOrder = errors.New("intervals were not in time order")

// Costs is a cost broken down by category, in exact [models.Money]; a credit
// (feed-in) is negative. Round with [models.Money.RoundCents] only when
// showing it.
type Costs struct {
	Supply, Usage, FeedIn, Demand, Discount, Other models.Money
}

// Total is the sum of every category.
func (c Costs) Total() models.Money {
	return c.Supply + c.Usage + c.FeedIn + c.Demand + c.Discount + c.Other
}

// Add adds o to c.
func (c *Costs) Add(o Costs) {
	c.Supply += o.Supply
	c.Usage += o.Usage
	c.FeedIn += o.FeedIn
	c.Demand += o.Demand
	c.Discount += o.Discount
	c.Other += o.Other
}

func (c *Costs) add(cat Category, m models.Money) {
	switch cat {
	case Supply:
		c.Supply += m
	case Usage:
		c.Usage += m
	case FeedIn:
		c.FeedIn += m
	case Demand:
		c.Demand += m
	case Discount:
		c.Discount += m
	default:
		c.Other += m
	}
}

// DayCost is the cost of one local day.
type DayCost struct {
	// Date is local midnight in the site's time zone.
	Date      time.Time
	Intervals int
	// ImportWh is all the grid import, controlled load included.
	ImportWh float64
	ExportWh float64
	// ControlledLoadWh is the part of ImportWh the site metered as
	// controlled load, and ControlledLoadAtGeneralWh the part of that no
	// controlled-load rate of the tariff priced, so the general rates did.
	ControlledLoadWh, ControlledLoadAtGeneralWh float64
	Costs                                       Costs
}

// PeriodCost is the cost of one billing period.
type PeriodCost struct {
	Period Period
	// DaysWithData counts the days that had at least one interval; only
	// they are priced (supply charges included), so a period the data only
	// partly covers is not charged for days nobody measured.
	DaysWithData int
	ImportWh     float64
	ExportWh     float64
	// ControlledLoadWh and ControlledLoadAtGeneralWh sum the days' (see
	// [DayCost]).
	ControlledLoadWh, ControlledLoadAtGeneralWh float64
	// PeakKW is, per component of the tariff (in order), the highest
	// half-hourly demand inside its window over the period.
	PeakKW []float64
	// Costs is the exact sum of the days' costs.
	Costs Costs
	// Days holds each day that had data, in date order.
	Days []DayCost
}

// Result is the priced stream.
type Result struct {
	// Periods holds each billing period that received data, in date order.
	Periods   []PeriodCost
	Uncovered Uncovered
}

// Total is the exact cost over every period.
func (r *Result) Total() Costs {
	var c Costs
	for _, p := range r.Periods {
		c.Add(p.Costs)
	}
	return c
}

// Result prices everything added so far. Each component prices each day
// once, in exact nano-units; period totals are exact sums of days, rounded
// only when shown. The result is returned even with an error: an
// [*UncoveredError] when some intervals fell outside every billing period
// (they are left out of the result), or [ErrOutOfOrder].
func (a *Accumulator) Result() (*Result, error) {
	a.closeBlock()
	res := &Result{Uncovered: a.uncovered}
	for i := range a.periods {
		ps := &a.periods[i]
		if ps.days == nil {
			continue
		}
		cp := &a.p.periods[i]
		comps := cp.Tariff.Components
		n := len(comps)
		pc := PeriodCost{Period: cp.Period, PeakKW: append([]float64(nil), ps.peaks...)}
		y, m, d := cp.Start.Date()
		before := make([]float64, n) // per component: import on earlier days
		for day, ds := range ps.days {
			if ds.intervals == 0 {
				continue
			}
			dc := DayCost{
				Date:      time.Date(y, m, d+day, 0, 0, 0, 0, a.p.loc),
				Intervals: ds.intervals,
				ImportWh:  ds.importWh,
				ExportWh:  ds.export,

				ControlledLoadWh:          ds.controlledLoad,
				ControlledLoadAtGeneralWh: ds.clGeneral,
			}
			var discounts []Discounter
			_, dm, dd := dc.Date.Date()
			md := int16(int(dm)*100 + dd)
			for j, c := range comps {
				me := ps.meas[day*n+j]
				me.InSeason = cp.windows[j].inSeason(md)
				me.PeriodPeakKW = ps.peaks[j]
				me.ImportBeforeWh = before[j]
				me.PeriodDays = int(cp.end - cp.start)
				me.ControlledLoadMetered = ds.clMetered
				before[j] += me.ImportWh
				if disc, ok := c.(Discounter); ok {
					discounts = append(discounts, disc)
					continue
				}
				dc.Costs.add(c.Category(), c.DayCost(me))
			}
			// Discounts come off the day's charges as they stand before
			// any discount, so two discounts never compound.
			charges := dc.Costs
			for _, c := range discounts {
				dc.Costs.add(c.Category(), c.DayDiscount(charges))
			}
			pc.DaysWithData++
			pc.ImportWh += ds.importWh
			pc.ExportWh += ds.export
			pc.ControlledLoadWh += ds.controlledLoad
			pc.ControlledLoadAtGeneralWh += ds.clGeneral
			pc.Costs.Add(dc.Costs)
			pc.Days = append(pc.Days, dc)
		}
		res.Periods = append(res.Periods, pc)
	}
	switch {
	case a.backwards > 0:
		return res, fmt.Errorf("%w (%d went backwards)", ErrOutOfOrder, a.backwards)
	case a.uncovered.Intervals > 0:
		return res, &UncoveredError{a.uncovered}
	}
	return res, nil
}

// dayNumber is t's calendar date as days since 1970-01-01.
func dayNumber(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func describePeriod(p Period) string {
	return FormatRange(p.Start, p.End)
}

// FormatRange shows a billing period as people say it, last day inclusive:
// "2024-01-01 to 2024-03-31" for [2024-01-01, 2024-04-01).
func FormatRange(start, end time.Time) string {
	y, m, d := end.Date()
	last := time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC)
	return start.Format(time.DateOnly) + " to " + last.Format(time.DateOnly)
}
