package battery

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
	_ "time/tzdata" // the test must not depend on the machine's zoneinfo
)

// TestDailyFollowsLocalDays checks the per-day aggregation a pricing pass
// relies on: days are local calendar days (daylight saving included), a
// gap day is simply absent, and the days add up to the run's totals.
func TestDailyFollowsLocalDays(t *testing.T) {
	t.Parallel()
	sydney, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	// Half-hours from local midnight 30 Sep 2011 to local midnight
	// 6 Oct 2011, across the start of daylight saving (2 Oct, a 23-hour
	// day), with 4 Oct missing entirely.
	from := time.Date(2011, 9, 30, 0, 0, 0, 0, sydney)
	to := time.Date(2011, 10, 6, 0, 0, 0, 0, sydney)
	skipFrom := time.Date(2011, 10, 4, 0, 0, 0, 0, sydney)
	skipTo := time.Date(2011, 10, 5, 0, 0, 0, 0, sydney)
	var ivs []Interval
	for i, ts := 0, from; ts.Before(to); i, ts = i+1, ts.Add(30*time.Minute) {
		if !ts.Before(skipFrom) && ts.Before(skipTo) {
			continue
		}
		iv := synthInterval(i, 30*time.Minute)
		iv.Start = ts.UTC() // sources deliver instants; the zone is the sink's business
		ivs = append(ivs, iv)
	}

	type dayRow struct {
		date      string
		intervals int
		baseImp   float64
		imp       []float64
		stored    []float64
	}
	var days []dayRow
	daily := NewDaily(sydney, func(d *Day) error {
		row := dayRow{date: d.Date.Format(time.DateOnly), intervals: d.Intervals, baseImp: d.BaselineImportWh}
		for _, b := range d.Batteries {
			row.imp = append(row.imp, b.ImportWh)
			row.stored = append(row.stored, b.EndStoredWh)
		}
		if d.Date.Location() != sydney || d.Date.Hour() != 0 {
			t.Errorf("day %s does not start at local midnight: %v", row.date, d.Date)
		}
		days = append(days, row)
		return nil
	})
	cfgs := []Config{{CapacityWh: 5000, Efficiency: 0.9}, {Model: ModelSeed, CapacityWh: 13500, Efficiency: 0.9}}
	var lastStored []float64
	track := SinkFunc(func(in Interval, out []Result) error {
		lastStored = lastStored[:0]
		for _, r := range out {
			lastStored = append(lastStored, r.Stored)
		}
		return nil
	})
	rep, err := Run(context.Background(), NewSliceSource(ivs), cfgs, Sinks(daily, track), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}

	want := []struct {
		date      string
		intervals int
	}{{"2011-09-30", 48}, {"2011-10-01", 48}, {"2011-10-02", 46}, {"2011-10-03", 48}, {"2011-10-05", 48}}
	if len(days) != len(want) {
		t.Fatalf("got %d days %+v, want %d", len(days), days, len(want))
	}
	var baseImp float64
	imp := make([]float64, len(cfgs))
	for i, w := range want {
		if days[i].date != w.date || days[i].intervals != w.intervals {
			t.Errorf("day %d: %s with %d intervals, want %s with %d", i, days[i].date, days[i].intervals, w.date, w.intervals)
		}
		baseImp += days[i].baseImp
		for c := range cfgs {
			imp[c] += days[i].imp[c]
		}
	}
	if math.Abs(baseImp-rep.Results[0].BaselineImportWh) > 1e-6 {
		t.Errorf("days add up to baseline import %v, run says %v", baseImp, rep.Results[0].BaselineImportWh)
	}
	for c := range cfgs {
		if math.Abs(imp[c]-rep.Results[c].ImportWh) > 1e-6 {
			t.Errorf("battery %d: days add up to import %v, run says %v", c, imp[c], rep.Results[c].ImportWh)
		}
		if got := days[len(days)-1].stored[c]; got != lastStored[c] {
			t.Errorf("battery %d: last day ends with %v stored, last interval %v", c, got, lastStored[c])
		}
	}
	if rep.Gaps != 1 || rep.GapTime != 24*time.Hour {
		t.Errorf("gaps %d of %v, want the one missing day", rep.Gaps, rep.GapTime)
	}
}

func TestDailyReportsCallbackErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("no tariff for this day")
	daily := NewDaily(nil, func(d *Day) error {
		if d.Date.Day() == 2 {
			return boom
		}
		return nil
	})
	_, err := Run(context.Background(), NewSliceSource(synthYear(288*3, 5*time.Minute)),
		[]Config{{CapacityWh: 5000, Efficiency: 0.9}}, daily, RunOptions{})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the callback's error", err)
	}
}
