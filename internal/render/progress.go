package render

import (
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/solarview/solarview/internal/report"
)

// progressDelay is how long a run must take before progress is shown, so
// quick runs stay quiet.
const progressDelay = time.Second

// Progress draws how far a report has got, from the events the computation
// sends (report.Progress): a spinner with the intervals simulated and the
// date reached for one site, a bar over the sites for many. Nothing is
// drawn for the first second. Give it a terminal, never the output: the
// bar is redrawn in place and cleared at the end.
type Progress struct {
	w     io.Writer
	start time.Time
	mu    sync.Mutex
	phase report.ProgressPhase
	bar   *progressbar.ProgressBar
}

// NewProgress returns a Progress drawing on w, or nil when w is nil: a nil
// Progress draws nothing and asks the computation for no events.
func NewProgress(w io.Writer) *Progress {
	if w == nil {
		return nil
	}
	return &Progress{w: w, start: time.Now()}
}

// Func is p's Update as report options take it; nil for a nil p, so that
// nothing is counted when nothing is shown.
func (p *Progress) Func() report.Progress {
	if p == nil {
		return nil
	}
	return p.Update
}

// Update draws ev, once the run has taken longer than progressDelay.
func (p *Progress) Update(ev report.ProgressEvent) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil || ev.Phase != p.phase {
		if time.Since(p.start) < progressDelay {
			return
		}
		if p.bar != nil {
			_ = p.bar.Finish()
		}
		p.phase = ev.Phase
		p.bar = newBar(p.w, ev)
	}
	if ev.Phase == report.ProgressSimulating {
		p.bar.Describe("simulating " + ev.At.Format(time.DateOnly))
	}
	_ = p.bar.Set64(ev.Done)
}

// newBar is the bar for ev's phase: a spinner counting intervals, whose
// number is unknown until the end, or a bar over a known number of sites.
func newBar(w io.Writer, ev report.ProgressEvent) *progressbar.ProgressBar {
	if ev.Phase == report.ProgressSites {
		return progressbar.NewOptions64(ev.Total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("sites"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("simulating"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("intervals"),
		progressbar.OptionShowIts(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// Finish clears the bar, if one was drawn: call it once the computation
// has returned, before the report is written. Safe on nil.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
