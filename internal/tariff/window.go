package tariff

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/solarview/solarview/models"
)

// Clock is an instant as a site's wall clock shows it: what time-of-use
// windows are written in. Daylight saving is already applied, so on the day
// clocks go back 02:00–03:00 happens twice and on the day they go forward
// not at all.
type Clock struct {
	Weekday time.Weekday
	// Second is seconds after local midnight.
	Second int32
	// MonthDay is month*100 + day, e.g. 1101 for 1 November.
	MonthDay int16
	// Holiday is set on a public holiday of the site's calendar.
	Holiday bool
}

// ClockOf reads t's wall clock in t's location.
func ClockOf(t time.Time) Clock {
	_, m, d := t.Date()
	h, mi, s := t.Clock()
	return Clock{Weekday: t.Weekday(), Second: int32(h*3600 + mi*60 + s), MonthDay: int16(int(m)*100 + d)}
}

// NEMTime is the clock of the National Electricity Market, UTC+10 all year
// (no daylight saving): what CDR plans call "AEST" in their timeZone.
var NEMTime = time.FixedZone("NEM", 10*60*60)

// How a window treats public holidays (models.TariffWindow.PublicHolidays).
const (
	holidaysOrdinary uint8 = iota // a holiday is a day of its weekday
	holidaysInclude               // also every holiday
	holidaysExclude               // never a holiday
	holidaysOnly                  // holidays only
)

// Window is a compiled [models.TariffWindow]: weekdays as a bit set, times
// as seconds and the season as month-day numbers, so checking an interval
// costs a few comparisons. The zero Window never matches; [Always] matches
// everything.
type Window struct {
	days       uint8 // bit time.Weekday
	start, end int32 // seconds; start == 0 && end == 86400 is all day
	// seasonStart and seasonEnd are month*100+day, inclusive; 0 = all year.
	seasonStart, seasonEnd int16
	holidays               uint8 // holidaysOrdinary, ...
	// nem reads the window on NEM time rather than the site's clock.
	nem bool
}

const allDays = 0x7f

// Always is the window of components that apply at every instant.
var Always = Window{days: allDays, start: 0, end: int32(models.Midnight24)}

// CompileWindow checks w and compiles it. Errors name the offending column.
func CompileWindow(w models.TariffWindow) (Window, error) {
	out := Always
	if w.Weekdays != nil {
		if len(w.Weekdays) == 0 {
			return Window{}, fmt.Errorf("weekdays: empty (leave it out for every day)")
		}
		out.days = 0
		for _, d := range w.Weekdays {
			if d < 1 || d > 7 {
				return Window{}, fmt.Errorf("weekdays: %d is not an ISO weekday (1 = Monday .. 7 = Sunday)", d)
			}
			out.days |= 1 << (d % 7) // ISO 7 (Sunday) is time.Sunday (0)
		}
	}
	switch {
	case (w.StartTime == nil) != (w.EndTime == nil):
		return Window{}, fmt.Errorf("start_time and end_time: give both or neither")
	case w.StartTime != nil:
		s, e := *w.StartTime, *w.EndTime
		if s < 0 || s >= models.Midnight24 {
			return Window{}, fmt.Errorf("start_time: %s is not a start of a window", s)
		}
		if e < 0 || e > models.Midnight24 {
			return Window{}, fmt.Errorf("end_time: %s is not a time", e)
		}
		if s == e {
			return Window{}, fmt.Errorf("start_time and end_time: both %s (leave both out for all day)", s)
		}
		out.start, out.end = int32(s), int32(e)
		if out.end == 0 {
			out.end = int32(models.Midnight24)
		}
	}
	switch {
	case (w.SeasonStart == nil) != (w.SeasonEnd == nil):
		return Window{}, fmt.Errorf("season_start and season_end: give both or neither")
	case w.SeasonStart != nil:
		s, err := ParseMonthDay(*w.SeasonStart)
		if err != nil {
			return Window{}, fmt.Errorf("season_start: %w", err)
		}
		e, err := ParseMonthDay(*w.SeasonEnd)
		if err != nil {
			return Window{}, fmt.Errorf("season_end: %w", err)
		}
		out.seasonStart, out.seasonEnd = s, e
	}
	if w.PublicHolidays != nil {
		switch *w.PublicHolidays {
		case models.HolidaysInclude:
			out.holidays = holidaysInclude
		case models.HolidaysExclude:
			out.holidays = holidaysExclude
		case models.HolidaysOnly:
			if w.Weekdays != nil {
				return Window{}, fmt.Errorf("public_holidays: %q with weekdays (leave weekdays out)", models.HolidaysOnly)
			}
			out.holidays = holidaysOnly
		default:
			return Window{}, fmt.Errorf("public_holidays: %q is not %q, %q or %q", *w.PublicHolidays,
				models.HolidaysInclude, models.HolidaysExclude, models.HolidaysOnly)
		}
	}
	out.nem = w.NEMTime
	return out, nil
}

// UsesHolidays reports whether public holidays change what w covers.
func (w Window) UsesHolidays() bool { return w.holidays != holidaysOrdinary }

// NEM reports whether w is read on NEM time.
func (w Window) NEM() bool { return w.nem }

// ParseMonthDay reads "MM-DD" (any day of a leap year) as month*100+day.
func ParseMonthDay(s string) (int16, error) {
	if len(s) != 5 || s[2] != '-' {
		return 0, fmt.Errorf("%q is not a MM-DD day", s)
	}
	m, err1 := strconv.Atoi(s[:2])
	d, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m)) {
		return 0, fmt.Errorf("%q is not a MM-DD day", s)
	}
	return int16(m*100 + d), nil
}

// daysIn is the length of month m in a leap year, so 02-29 is a valid
// season bound.
func daysIn(m time.Month) int {
	return time.Date(2000, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Contains reports whether the wall-clock instant c is inside w. Each
// instant is judged on its own weekday: Mon–Fri 22:00–07:00 covers Monday
// 00:00–07:00 and Friday 22:00–24:00.
func (w Window) Contains(c Clock) bool {
	switch {
	case w.holidays == holidaysOnly && !c.Holiday,
		w.holidays == holidaysExclude && c.Holiday:
		return false
	case w.holidays == holidaysInclude && c.Holiday, w.holidays == holidaysOnly:
	case w.days&(1<<c.Weekday) == 0:
		return false
	}
	if w.start < w.end {
		if c.Second < w.start || c.Second >= w.end {
			return false
		}
	} else if c.Second < w.start && c.Second >= w.end {
		return false
	}
	return w.inSeason(c.MonthDay)
}

// inSeason reports whether the day md (month*100+day) is in w's season.
func (w Window) inSeason(md int16) bool {
	if w.seasonStart == 0 {
		return true
	}
	if w.seasonStart <= w.seasonEnd {
		return md >= w.seasonStart && md <= w.seasonEnd
	}
	return md >= w.seasonStart || md <= w.seasonEnd
}

// IsAlways reports whether w covers every instant.
func (w Window) IsAlways() bool {
	w.nem = false // every instant is every instant on any clock
	return w == Always
}

var dayNames = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// String describes w for people: "Mon–Fri 14:00–20:00, 11-01 to 03-31",
// "all times".
func (w Window) String() string {
	var parts []string
	switch w.holidays {
	case holidaysOnly:
		parts = append(parts, "public holidays")
	case holidaysInclude:
		parts = append(parts, describeDays(w.days)+" and public holidays")
	case holidaysExclude:
		parts = append(parts, describeDays(w.days)+" except public holidays")
	default:
		if w.days != allDays {
			parts = append(parts, describeDays(w.days))
		}
	}
	if !(w.start == 0 && w.end == int32(models.Midnight24)) {
		parts = append(parts, models.ClockTime(w.start).String()+"–"+models.ClockTime(w.end).String())
	}
	s := strings.Join(parts, " ")
	if w.seasonStart != 0 {
		season := fmt.Sprintf("%02d-%02d to %02d-%02d", w.seasonStart/100, w.seasonStart%100, w.seasonEnd/100, w.seasonEnd%100)
		if s == "" {
			s = season
		} else {
			s += ", " + season
		}
	}
	if s == "" {
		s = "all times"
	}
	if w.nem && s != "all times" {
		s += " (NEM time)"
	}
	return s
}

// describeDays lists days Monday first, collapsing runs: "Mon–Fri",
// "Sat, Sun".
func describeDays(days uint8) string {
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	var out []string
	for i := 0; i < len(order); {
		if days&(1<<order[i]) == 0 {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && days&(1<<order[j+1]) != 0 {
			j++
		}
		switch {
		case j-i >= 2:
			out = append(out, dayNames[order[i]]+"–"+dayNames[order[j]])
		case j == i:
			out = append(out, dayNames[order[i]])
		default:
			out = append(out, dayNames[order[i]], dayNames[order[j]])
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}
