package tariff

import (
	"math"
	"sort"
	"time"
)

// Locator is [Pricer.Locate] for a stream of intervals in time order, at a
// fraction of the cost. Locate converts each instant to the site's time
// zone and reads its calendar date, which is most of what pricing an
// interval costs; yet a day's intervals share everything but the time of
// day. A Locator keeps the stretch of time the last instant fell in, during
// which the local date, the zone's offset and the NEM date all stay the
// same, with what Locate found for it (billing period, weekday, season day,
// holiday); inside the stretch an instant costs a few integer operations.
//
// It gives exactly what [Pricer.Locate] gives, for instants in any order
// (leaving the stretch only costs one full Locate). Unlike the Pricer it
// holds state: one Locator per goroutine.
type Locator struct {
	p *Pricer

	// lo and hi bound the stretch in Unix seconds, [lo, hi); empty at
	// first.
	lo, hi int64
	// localDay and nemDay are the Unix second the stretch's local and NEM
	// dates would start at if their clocks were UTC: local second of the
	// day = unix + offset - localDay.
	offset           int64
	localDay, nemDay int64
	period           int32 // -1 when no billing period covers the date
	day              int32 // local day within the period
	c, nc            Clock // the clocks without their Second

	// mask holds for [mlo, mhi) (Unix seconds, inside the stretch): no
	// window of the period starts or ends in between, and nothing else a
	// window reads changes within the stretch.
	mask     uint64
	mlo, mhi int64
}

// NewLocator starts a Locator on p.
func (p *Pricer) NewLocator() *Locator {
	return &Locator{p: p, lo: math.MaxInt64, hi: math.MinInt64}
}

// Locate places the interval starting at t, as [Pricer.Locate].
func (l *Locator) Locate(t time.Time) Instant {
	s := t.Unix()
	if s < l.lo || s >= l.hi {
		l.enter(t)
	}
	if l.period < 0 {
		return Instant{ns: t.UnixNano(), period: -1}
	}
	second := int32(s + l.offset - l.localDay)
	if s < l.mlo || s >= l.mhi {
		l.windows(s, second)
	}
	return Instant{ns: t.UnixNano(), period: l.period, day: l.day, block: demandHalfHour(s, second), mask: l.mask}
}

// windows computes the mask of the windows containing s (local second of
// the day second) and the span around s it holds for: up to the nearest
// start or end of a window on either side, within the stretch.
func (l *Locator) windows(s int64, second int32) {
	cp := &l.p.periods[l.period]
	c := l.c
	c.Second = second
	nc := l.nc
	if cp.nem {
		nc.Second = int32(s + nemOffset - l.nemDay)
	}
	l.mask, l.mlo, l.mhi = 0, l.lo, l.hi
	for j, w := range cp.windows {
		at, midnight := c, l.localDay-l.offset
		if w.nem {
			at, midnight = nc, l.nemDay-nemOffset
		}
		if w.Contains(at) {
			l.mask |= 1 << j
		}
		for _, b := range [2]int32{w.start, w.end} {
			switch u := midnight + int64(b); {
			case u <= s:
				l.mlo = max(l.mlo, u)
			default:
				l.mhi = min(l.mhi, u)
			}
		}
	}
}

// nemOffset is NEM time's offset from UTC, in seconds.
const nemOffset = 10 * 60 * 60

// enter finds the stretch holding t and what Locate would say of its day.
func (l *Locator) enter(t time.Time) {
	s := t.Unix()
	lt := t.In(l.p.loc)
	_, off := lt.Zone()
	dn := dayNumber(lt)
	l.offset = int64(off)
	l.localDay = int64(dn) * 86400
	// The local date stays dn while the offset does, between the local
	// midnights around t; the offset stays within the zone's bounds.
	l.lo, l.hi = l.localDay-l.offset, l.localDay+86400-l.offset
	zs, ze := lt.ZoneBounds()
	if !zs.IsZero() {
		l.lo = max(l.lo, zs.Unix())
	}
	if !ze.IsZero() {
		l.hi = min(l.hi, ze.Unix())
	}
	// The NEM date: UTC+10 all year, so its days are fixed in Unix time.
	nd := floorDiv(s+nemOffset, 86400)
	l.nemDay = nd * 86400
	l.lo = max(l.lo, l.nemDay-nemOffset)
	l.hi = min(l.hi, l.nemDay+86400-nemOffset)

	l.mlo, l.mhi = 0, 0 // the mask is for the stretch left
	ps := l.p.periods
	i := sort.Search(len(ps), func(i int) bool { return ps[i].end > dn })
	if i == len(ps) || ps[i].start > dn {
		l.period = -1
		return
	}
	cp := &ps[i]
	l.period, l.day = int32(i), dn-cp.start
	l.c = ClockOf(lt)
	l.c.Second = 0
	if cp.holidays {
		l.c.Holiday = cp.Holidays.onDay(dn)
	}
	l.nc = Clock{}
	if cp.nem {
		nt := t.In(NEMTime)
		l.nc = ClockOf(nt)
		l.nc.Second = 0
		if cp.holidays {
			l.nc.Holiday = cp.Holidays.onDay(dayNumber(nt))
		}
	}
}

// floorDiv is a / b rounded down, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
