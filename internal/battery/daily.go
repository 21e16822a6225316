package battery

import (
	"fmt"
	"time"
)

// DayTotals is one configuration's energy over one local day, in Wh.
type DayTotals struct {
	ImportWh, ExportWh      float64
	ChargedWh, DischargedWh float64
	// LossesWh is every loss within the day's intervals; standby loss
	// during gaps in the data only appears in [Totals].
	LossesWh float64
	// EndStoredWh is the stored energy after the day's last interval.
	EndStoredWh float64
}

// Day is what [Daily] hands to its callback: the baseline and every
// configuration's totals for one local calendar day.
type Day struct {
	// Date is local midnight at the start of the day, in the Daily's
	// location; Date.Date() gives the calendar date.
	Date time.Time
	// Intervals is the number of intervals that started on this day.
	Intervals int
	// BaselineImportWh and BaselineExportWh are the data without a
	// battery (missing values skipped).
	BaselineImportWh, BaselineExportWh float64
	// Batteries holds one DayTotals per configuration, in Run's order.
	Batteries []DayTotals
}

// Daily is a [Sink] that sums intervals per local calendar day and hands
// each finished day to a callback, the Go counterpart of the seed's
// daily_summary_battery view. Only the current day is held, so a
// pricing pass over years of data stays in constant memory. An interval
// belongs to the day its start falls on in the location, so daylight
// saving days simply have 23 or 25 hours of intervals. Days without any
// interval are not reported.
type Daily struct {
	loc        *time.Location
	emit       func(*Day) error
	day        Day
	start, end time.Time
	open       bool
}

// NewDaily returns a Daily for the site's time zone. emit receives a
// pointer to a Day that is reused for the next day: copy what must
// outlive the call. [Run] calls Flush at the end so the last day is
// emitted too.
func NewDaily(loc *time.Location, emit func(*Day) error) *Daily {
	if loc == nil {
		loc = time.UTC
	}
	return &Daily{loc: loc, emit: emit}
}

// Interval implements [Sink].
func (d *Daily) Interval(in Interval, out []Result) error {
	// Deciding "same day" by comparing instants with the cached day
	// bounds avoids a time-zone conversion for all but the first
	// interval of each day.
	if !d.open || !in.Start.Before(d.end) || in.Start.Before(d.start) {
		if err := d.Flush(); err != nil {
			return err
		}
		y, m, dd := in.Start.In(d.loc).Date()
		d.start = time.Date(y, m, dd, 0, 0, 0, 0, d.loc)
		d.end = time.Date(y, m, dd+1, 0, 0, 0, 0, d.loc)
		d.open = true
		d.day.Date = d.start
		d.day.Intervals = 0
		d.day.BaselineImportWh, d.day.BaselineExportWh = 0, 0
		if cap(d.day.Batteries) < len(out) {
			d.day.Batteries = make([]DayTotals, len(out))
		}
		d.day.Batteries = d.day.Batteries[:len(out)]
		clear(d.day.Batteries)
	}
	if len(out) != len(d.day.Batteries) {
		return fmt.Errorf("daily aggregation: %d results for an interval, %d earlier in the day", len(out), len(d.day.Batteries))
	}
	d.day.Intervals++
	if in.Import == in.Import {
		d.day.BaselineImportWh += in.Import
	}
	if in.Export == in.Export {
		d.day.BaselineExportWh += in.Export
	}
	for i := range out {
		r, t := &out[i], &d.day.Batteries[i]
		if r.Import == r.Import {
			t.ImportWh += r.Import
		}
		if r.Export == r.Export {
			t.ExportWh += r.Export
		}
		t.ChargedWh += r.Charged
		t.DischargedWh += r.Discharged
		t.LossesWh += r.Losses()
		t.EndStoredWh = r.Stored
	}
	return nil
}

// Flush emits the day in progress, if any. Calling it twice emits once.
func (d *Daily) Flush() error {
	if !d.open {
		return nil
	}
	d.open = false
	if err := d.emit(&d.day); err != nil {
		return fmt.Errorf("daily aggregation for %s: %w", d.day.Date.Format(time.DateOnly), err)
	}
	return nil
}
