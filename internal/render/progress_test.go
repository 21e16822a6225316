package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/report"
)

// Progress stays quiet for a second, then shows how far the run has got;
// it never writes to anything but the writer it was given.
func TestProgress(t *testing.T) {
	t.Parallel()
	var quick, slow bytes.Buffer
	for _, c := range []struct {
		w     *bytes.Buffer
		start time.Time
	}{{&quick, time.Now()}, {&slow, time.Now().Add(-2 * progressDelay)}} {
		p := NewProgress(c.w)
		p.start = c.start
		for i := range 3 {
			p.Update(report.ProgressEvent{Phase: report.ProgressSimulating, Done: int64(i+1) * 4096, At: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)})
		}
		p.Finish()
	}
	if quick.Len() != 0 {
		t.Errorf("a run under a second drew progress: %q", quick.String())
	}
	if !strings.Contains(slow.String(), "simulating") {
		t.Errorf("a long run drew no progress: %q", slow.String())
	}
}

// The bar over sites stays quiet for a quick run and counts sites once
// the run has taken longer than a second (later updates are throttled);
// without a writer there is none, and the computation is asked for no
// events.
func TestFleetProgress(t *testing.T) {
	t.Parallel()
	var quick, slow bytes.Buffer
	p := NewProgress(&quick)
	p.Update(report.ProgressEvent{Phase: report.ProgressSites, Done: 1, Total: 3})
	p.Finish()
	if quick.Len() != 0 {
		t.Errorf("a quick run drew %q", quick.String())
	}
	p = NewProgress(&slow)
	p.start = p.start.Add(-2 * progressDelay)
	p.Update(report.ProgressEvent{Phase: report.ProgressSites, Done: 1, Total: 3})
	if !strings.Contains(slow.String(), "sites") || !strings.Contains(slow.String(), "1/3") {
		t.Errorf("a slow run drew %q", slow.String())
	}
	p.Finish()
	none := NewProgress(nil)
	if none != nil || none.Func() != nil {
		t.Error("no writer, yet a bar or a callback")
	}
	none.Update(report.ProgressEvent{Phase: report.ProgressSites, Done: 1, Total: 3}) // no bar, no panic
	none.Finish()
}
