package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/report"
)

// maxListed is how many gaps a table lists before summing up the rest.
const maxListed = 10

// timeIn formats an instant on the site's clock, to the minute.
func timeIn(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04") }

// reportLocation is the site's zone, or UTC if it cannot be loaded.
func reportLocation(rep *report.Report) *time.Location {
	loc, err := time.LoadLocation(rep.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// writeDataLines says what the report stands on: the data's range, every
// gap with its dates, stretches where one grid channel is missing, data no
// billing period prices, and bills priced on part of their days.
func writeDataLines(w io.Writer, rep *report.Report) {
	d := rep.Data
	loc := reportLocation(rep)
	fmt.Fprintf(w, "Data: %s to %s, %d intervals of %v", d.First.In(loc).Format(time.DateOnly),
		d.End.Add(-time.Nanosecond).In(loc).Format(time.DateOnly), d.Intervals, d.Nominal)
	if d.Gaps > 0 {
		fmt.Fprintf(w, ", %d gap(s) totalling %v", d.Gaps, d.GapTime)
	}
	if d.MissingValues > 0 {
		fmt.Fprintf(w, ", %d interval(s) with missing values", d.MissingValues)
	}
	fmt.Fprintln(w)
	for i, g := range rep.Gaps {
		if i == maxListed {
			fmt.Fprintf(w, "  … and %d more gap(s) (all of them: --format json)\n", len(rep.Gaps)-maxListed)
			break
		}
		fmt.Fprintf(w, "  Gap: no data from %s to %s (%v)\n", timeIn(g.From, loc), timeIn(g.To, loc), g.Duration())
	}
	for _, g := range rep.ChannelGaps {
		fmt.Fprintf(w, "Missing %s data from %s to %s (%v) while other data is present: counted as zero %s there.\n",
			g.Channel, timeIn(g.From, loc), timeIn(g.To, loc), g.Duration(), g.Channel)
	}
	for _, msg := range rep.Warnings {
		fmt.Fprintln(w, "Warning: "+msg)
	}
	if rep.Unpriced.Intervals > 0 {
		fmt.Fprintf(w, "Not priced: %d interval(s) from %s to %s are outside every billing period (simulated, not priced).\n",
			rep.Unpriced.Intervals, rep.Unpriced.First.In(loc).Format(time.DateOnly), rep.Unpriced.Last.In(loc).Format(time.DateOnly))
	}
	if len(rep.Results) > 0 {
		var partial []string
		for _, p := range rep.Results[0].Periods {
			if p.Partial() {
				partial = append(partial, fmt.Sprintf("%s to %s (%s days)", p.Start.Format(time.DateOnly), lastDay(p.End), describeDays(p)))
			}
		}
		if len(partial) > 0 {
			fmt.Fprintf(w, "Priced on part of their days (only days with data are billed): %s.\n", strings.Join(partial, "; "))
		}
	}
}

// describeDays is a period's days priced, "6 of 16" when the data covers
// only part of it.
func describeDays(p report.PeriodResult) string {
	if p.Partial() {
		return fmt.Sprintf("%d of %d", p.Days, p.PeriodDays)
	}
	return strconv.Itoa(p.Days)
}

// describePower says which power limits are in force and where they act.
func describePower(c battery.Config) string {
	if c.Model == battery.ModelSeed {
		return "none (the seed model has no power limits)"
	}
	if c.ChargePowerW == 0 && c.DischargePowerW == 0 {
		return "none (--power not given: charge and discharge are limited only by the capacity)"
	}
	kw := func(w float64) string {
		if w == 0 {
			return "unlimited"
		}
		return strconv.FormatFloat(w/1000, 'f', -1, 64) + " kW"
	}
	return fmt.Sprintf("%s charge, %s discharge, on the AC side of the battery's inverter "+
		"(power drawn from surplus solar, power delivered to the household), times each interval's length",
		kw(c.ChargePowerW), kw(c.DischargePowerW))
}

// beyondLifetime flags a payback that comes after the battery's lifetime.
func beyondLifetime(rep *report.Report, r report.Result) string {
	if r.Price == nil || r.PaysBackInLifetime || r.SavingsPerYear <= 0 {
		return ""
	}
	return fmt.Sprintf(" (beyond its %d-year life)", rep.LifetimeYears)
}

// writeFinanceNote states the payback and NPV convention under a report
// that shows them.
func writeFinanceNote(w io.Writer, rep *report.Report) {
	if rep.Price == nil {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, Wrap(fmt.Sprintf("%s Lifetime: %d years.", report.FinanceConvention, rep.LifetimeYears), 100))
}

// Wrap breaks text into lines of at most width characters, between words:
// for notes under a report and in `--help`.
func Wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
