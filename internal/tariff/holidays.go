package tariff

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Holidays is a site's public holiday calendar: the local dates time-of-use
// windows that name public holidays treat as such. A nil *Holidays has no
// holidays.
type Holidays struct {
	days  map[int32]string // day number → name
	years map[int]bool
}

// NewHolidays builds a calendar from dates (only their calendar date is
// used) and names.
func NewHolidays(dates []time.Time, names []string) *Holidays {
	h := &Holidays{days: make(map[int32]string, len(dates)), years: map[int]bool{}}
	for i, d := range dates {
		name := ""
		if i < len(names) {
			name = names[i]
		}
		h.days[dayNumber(d)] = name
		h.years[d.Year()] = true
	}
	return h
}

func (h *Holidays) onDay(dn int32) bool {
	if h == nil {
		return false
	}
	_, ok := h.days[dn]
	return ok
}

// Len is the number of holidays in the calendar.
func (h *Holidays) Len() int {
	if h == nil {
		return 0
	}
	return len(h.days)
}

// Covers reports whether the calendar holds any holiday in year: a year
// without one most likely was not loaded.
func (h *Holidays) Covers(year int) bool { return h != nil && h.years[year] }

// UsesHolidays reports whether any of t's windows names public holidays,
// so its prices depend on the holiday calendar.
func (t *Tariff) UsesHolidays() bool {
	for _, c := range t.Components {
		if w, err := CompileWindow(c.When()); err == nil && w.UsesHolidays() {
			return true
		}
	}
	return false
}

// HolidayWarning is the one line a report prints when some billing period's
// tariff prices public holidays but the site's calendar holds none for a
// year the period spans: those days were priced as ordinary days. It is ""
// when nothing is missing.
func (p *Pricer) HolidayWarning() string {
	var priced []Period
	for _, cp := range p.periods {
		if cp.holidays {
			priced = append(priced, cp.Period)
		}
	}
	return missingHolidays(priced)
}

// HolidayWarning is [Pricer.HolidayWarning] for periods that need not be
// compiled into a Pricer.
func HolidayWarning(periods []Period) string {
	var priced []Period
	for _, per := range periods {
		if per.Tariff.UsesHolidays() {
			priced = append(priced, per)
		}
	}
	return missingHolidays(priced)
}

// missingHolidays is the warning for periods whose tariffs price public
// holidays.
func missingHolidays(periods []Period) string {
	tariffs := map[string]bool{}
	years := map[int]bool{}
	for _, per := range periods {
		last := per.End.AddDate(0, 0, -1)
		for y := per.Start.Year(); y <= last.Year(); y++ {
			if !per.Holidays.Covers(y) {
				tariffs[per.Tariff.Name] = true
				years[y] = true
			}
		}
	}
	if len(years) == 0 {
		return ""
	}
	var ts []string
	for t := range tariffs {
		ts = append(ts, fmt.Sprintf("%q", t))
	}
	sort.Strings(ts)
	var ys []string
	for y := range years {
		ys = append(ys, fmt.Sprint(y))
	}
	sort.Strings(ys)
	what := "tariff " + ts[0] + " prices"
	if len(ts) > 1 {
		what = "tariffs " + strings.Join(ts, ", ") + " price"
	}
	return fmt.Sprintf("%s public holidays, but no public holidays are loaded for %s: they were priced as ordinary days "+
		"(load them with `solarview holidays import FILE`)", what, strings.Join(ys, ", "))
}
