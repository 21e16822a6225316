package report

import (
	"time"

	"github.com/solarview/solarview/internal/battery"
)

// ProgressPhase says what a report is doing when it tells its progress.
type ProgressPhase string

// Progress phases.
const (
	// ProgressSimulating: one site's data is read and simulated; the
	// number of intervals is not known before the end.
	ProgressSimulating ProgressPhase = "simulating"
	// ProgressSites: a many-site report has finished Done sites of Total.
	ProgressSites ProgressPhase = "sites"
)

// ProgressEvent says how far a report has got.
type ProgressEvent struct {
	Phase ProgressPhase
	// Done counts the intervals simulated so far (ProgressSimulating) or
	// the sites finished (ProgressSites); Total is the number of sites,
	// and 0 while simulating.
	Done, Total int64
	// At is the start of the latest interval simulated, on the site's
	// clock (ProgressSimulating only).
	At time.Time
}

// Progress receives how far a long computation has got: every
// progressStep intervals of a site's pass, and after each site of a
// many-site report. Calls come one at a time, never after Compute,
// ComputeComparison or ComputeFleet has returned, and must return quickly:
// the pass waits for them. Whether and how to show it is the caller's
// business (package render draws a bar on a terminal).
type Progress func(ProgressEvent)

// progressStep is how many intervals go by between two events: a site-year
// of 5-minute data gives about 25.
const progressStep = 4096

// progress is a [battery.Sink] that tells a Progress how far a pass over a
// site's data has got.
type progress struct {
	fn  Progress
	loc *time.Location
	n   int64
}

func newProgress(fn Progress, loc *time.Location) *progress {
	return &progress{fn: fn, loc: loc}
}

// Interval implements [battery.Sink].
func (p *progress) Interval(in battery.Interval, _ []battery.Result) error {
	p.n++
	if p.n%progressStep == 0 {
		p.fn(ProgressEvent{Phase: ProgressSimulating, Done: p.n, At: in.Start.In(p.loc)})
	}
	return nil
}

// fleetProgress tells a Progress how many sites of a many-site report are
// done; a nil one tells nobody.
type fleetProgress struct {
	fn    Progress
	total int64
	n     int64
}

func newFleetProgress(fn Progress, total int) *fleetProgress {
	if fn == nil {
		return nil
	}
	return &fleetProgress{fn: fn, total: int64(total)}
}

func (p *fleetProgress) add() {
	if p == nil {
		return
	}
	p.n++
	p.fn(ProgressEvent{Phase: ProgressSites, Done: p.n, Total: p.total})
}
