package ingest

import "time"

// wallClock is a local date and time without a zone.
type wallClock struct {
	y, mo, d, h, mi, s, ns int
}

// localResult says how a wall-clock time maps to instants in a zone.
type localResult int

const (
	localUnique    localResult = iota
	localAmbiguous             // the clocks went back: the time occurs twice
	localMissing               // the clocks jumped forward over it
)

// resolveLocal turns a wall-clock time in loc into an instant. When the time
// occurs twice (the repeated hour as daylight saving ends), it returns the
// earlier instant unless that would not come after prev, the instant of the
// previous row: then the file has already passed the first occurrence, and
// this row is the second. Times skipped as daylight saving starts report
// localMissing, with the instant Go's normalisation gives.
//
// time.Date alone leaves the choice for ambiguous times unspecified, which is
// why this looks at the offsets on both sides of the time.
func resolveLocal(w wallClock, loc *time.Location, prev time.Time) (time.Time, localResult) {
	asUTC := time.Date(w.y, time.Month(w.mo), w.d, w.h, w.mi, w.s, w.ns, time.UTC)
	// Zones change offset at most once a day, so the offsets a day before
	// and a day after are the only candidates.
	_, before := asUTC.Add(-24 * time.Hour).In(loc).Zone()
	_, after := asUTC.Add(24 * time.Hour).In(loc).Zone()
	a := asUTC.Add(-time.Duration(before) * time.Second)
	b := asUTC.Add(-time.Duration(after) * time.Second)
	okA := sameWall(a.In(loc), asUTC)
	okB := before != after && sameWall(b.In(loc), asUTC)
	switch {
	case okA && okB:
		first, second := a, b
		if second.Before(first) {
			first, second = second, first
		}
		if !prev.IsZero() && !first.After(prev) {
			return second, localAmbiguous
		}
		return first, localAmbiguous
	case okA:
		return a, localUnique
	case okB:
		return b, localUnique
	}
	return time.Date(w.y, time.Month(w.mo), w.d, w.h, w.mi, w.s, w.ns, loc), localMissing
}

func sameWall(t, wall time.Time) bool {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wy, wmo, wd := wall.Date()
	wh, wmi, ws := wall.Clock()
	return y == wy && mo == wmo && d == wd && h == wh && mi == wmi && s == ws && t.Nanosecond() == wall.Nanosecond()
}
