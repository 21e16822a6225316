// Package pginterval reads and writes PostgreSQL interval values as Go
// durations, for the interval columns solarview stores (meter interval
// lengths) and for intervals inside to_jsonb documents.
package pginterval

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads an interval as PostgreSQL writes it with the default
// IntervalStyle (postgres): "00:30:00", "1 day 02:00:00", "-1 days +02:00:00",
// "100:00:00.5". Days count 24 hours, as time.Duration cannot do otherwise;
// months and years have no fixed length and are refused.
func Parse(s string) (time.Duration, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return 0, fmt.Errorf("empty interval")
	}
	var total time.Duration
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.Contains(f, ":") {
			d, err := parseClock(f)
			if err != nil {
				return 0, fmt.Errorf("interval %q: %w", s, err)
			}
			total += d
			continue
		}
		if i+1 >= len(fields) {
			return 0, fmt.Errorf("interval %q: %q has no unit (is IntervalStyle postgres?)", s, f)
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("interval %q: %q is not a whole number (is IntervalStyle postgres?)", s, f)
		}
		i++
		switch unit := fields[i]; unit {
		case "day", "days":
			total += time.Duration(n) * 24 * time.Hour
		default:
			return 0, fmt.Errorf("interval %q: %s have no fixed length in a Go duration", s, unit)
		}
	}
	return total, nil
}

// parseClock reads [+-]H:MM[:SS[.ffffff]], hours unbounded.
func parseClock(s string) (time.Duration, error) {
	sign := time.Duration(1)
	switch s[0] {
	case '-':
		sign, s = -1, s[1:]
	case '+':
		s = s[1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if len(parts) == 3 {
		whole, frac, _ := strings.Cut(parts[2], ".")
		ws, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a time of day", s)
		}
		d += time.Duration(ws) * time.Second
		if frac != "" {
			// Exact to the nanosecond: no float rounding of the fraction.
			frac = (frac + "000000000")[:9]
			ns, err := strconv.ParseInt(frac, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%q is not a time of day", s)
			}
			d += time.Duration(ns)
		}
	}
	return sign * d, nil
}

// Format writes d as PostgreSQL's postgres IntervalStyle does for an
// interval with no days: [-]HH:MM:SS[.ffffff]. PostgreSQL reads it back as
// the same interval.
func Format(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	sec := d / time.Second
	d -= sec * time.Second
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, sec)
	if d > 0 {
		frac := strings.TrimRight(fmt.Sprintf("%09d", d), "0")
		b.WriteString("." + frac)
	}
	return b.String()
}
