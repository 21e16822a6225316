package report

import (
	"testing"
	"time"

	"github.com/solarview/solarview/internal/battery"
)

// A pass tells its progress every progressStep intervals, with the count
// and the latest interval's start on the site's clock; a many-site report
// after every site, with the total.
func TestProgressEvents(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Australia/Adelaide")
	if err != nil {
		t.Fatal(err)
	}
	var got []ProgressEvent
	p := newProgress(func(ev ProgressEvent) { got = append(got, ev) }, loc)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3*progressStep + 10 {
		if err := p.Interval(battery.Interval{Start: start.Add(time.Duration(i) * 5 * time.Minute)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d events for 3 steps of intervals: %+v", len(got), got)
	}
	last := got[2]
	want := start.Add(time.Duration(3*progressStep-1) * 5 * time.Minute)
	if last.Phase != ProgressSimulating || last.Done != 3*progressStep || last.Total != 0 || !last.At.Equal(want) || last.At.Location() != loc {
		t.Errorf("last event %+v, want %d intervals at %v in %v", last, 3*progressStep, want, loc)
	}

	got = nil
	f := newFleetProgress(func(ev ProgressEvent) { got = append(got, ev) }, 3)
	f.add()
	f.add()
	if len(got) != 2 || got[1] != (ProgressEvent{Phase: ProgressSites, Done: 2, Total: 3}) {
		t.Errorf("site events %+v", got)
	}
	newFleetProgress(nil, 3).add() // nobody to tell, no panic
}
