package report

import (
	"errors"
	"slices"
	"sync"

	"github.com/solarview/solarview/internal/battery"
)

// errOutOfOrder ends a pass whose rows could not be put in time order
// within mergeRuns' buffer; streamSummary then asks PostgreSQL for the rows
// in order.
var errOutOfOrder = errors.New("summary rows are not in time order")

// mergeHold is how many rows mergeRuns may hold: 32,768 five-minute
// intervals are 113 days, far more than the days with gaps a site has, in
// about 1.5 MB whatever the length of the data.
const mergeHold = 1 << 15

// mergeRuns puts the rows of summary, read without ORDER BY, in time order
// without sorting them all.
//
// Sorting a site-year's rows was half of what the summary query cost
// PostgreSQL (an external merge of 105,408 rows: 19 of 39 ms). But the rows
// already come in a few runs, each in time order: summary's plan gives its
// rare paths first (days with gaps, sites with registers) and the complete
// days last, each path day after day when its days are grouped by sorting,
// which readSummary asks for (views/summary.go). So mergeRuns holds
// the first rows, up to hold of them, sorting them if more than one run
// began among them, and then merges what it holds with the rows still to
// come, which it passes on as they arrive. A site whose rows are all
// complete days is one run: nothing is sorted, only held and passed on.
//
// The runs are what summary's plan happens to give, not a promise of SQL,
// so every row is checked: one that would go out before a row already
// passed on (another run beginning after the buffer filled, or a duplicate
// timestamp) ends the pass with errOutOfOrder, and the caller reads the
// rows again with ORDER BY. Correctness never depends on the plan; only
// the speed does.
type mergeRuns struct {
	src  battery.Source
	hold int

	held    []battery.Interval
	i       int // next of held to pass on
	filled  bool
	pending battery.Interval // the next row of src, once read
	hasPend bool
	srcDone bool

	out  int   // rows passed on
	last int64 // Unix nanoseconds of the last row passed on
	err  error
}

func newMergeRuns(src battery.Source, hold int) *mergeRuns {
	return &mergeRuns{src: src, hold: hold}
}

// heldPool keeps mergeRuns' buffers from one site to the next
// (`--all-sites` reads thousands).
var heldPool = sync.Pool{New: func() any { return new([]battery.Interval) }}

// getHeld is an empty buffer for n rows: sized once, since growing it by
// appending would leave twice its size behind as garbage.
func getHeld(n int) []battery.Interval {
	b := (*heldPool.Get().(*[]battery.Interval))[:0]
	if cap(b) < n {
		b = make([]battery.Interval, 0, n)
	}
	return b
}

func putHeld(b []battery.Interval) {
	if cap(b) > 0 {
		b = b[:0]
		heldPool.Put(&b)
	}
}

// fill reads up to hold rows and puts them in order, merging the runs
// among them (each already in order) rather than sorting them.
func (m *mergeRuns) fill() {
	m.filled = true
	m.held = getHeld(m.hold)
	var runs []int // where each run after the first begins in held
	var iv battery.Interval
	for len(m.held) < m.hold {
		if !m.src.Next(&iv) {
			m.srcDone = true
			break
		}
		if n := len(m.held); n > 0 && !iv.Start.After(m.held[n-1].Start) {
			runs = append(runs, n)
		}
		m.held = append(m.held, iv)
	}
	if len(runs) > 0 {
		scratch := getHeld(len(m.held))
		m.held, scratch = mergeNatural(m.held, scratch, runs)
		putHeld(scratch)
	}
}

// mergeNatural sorts rows made of runs in time order, the first beginning
// at 0 and the others at starts, by merging neighbouring runs until one is
// left: linear in the rows for a few runs. It returns the sorted rows and
// the other buffer.
func mergeNatural(rows, scratch []battery.Interval, starts []int) (sorted, other []battery.Interval) {
	bounds := append(append([]int{0}, starts...), len(rows))
	for len(bounds) > 2 {
		scratch = slices.Grow(scratch[:0], len(rows))[:len(rows)]
		next := []int{0}
		for i := 0; i+1 < len(bounds); i += 2 {
			lo, mid, hi := bounds[i], bounds[i+1], len(rows)
			if i+2 < len(bounds) {
				hi = bounds[i+2]
			}
			a, b, out := lo, mid, lo
			for ; a < mid && b < hi; out++ {
				if rows[b].Start.Before(rows[a].Start) {
					scratch[out] = rows[b]
					b++
				} else {
					scratch[out] = rows[a]
					a++
				}
			}
			out += copy(scratch[out:], rows[a:mid])
			copy(scratch[out:], rows[b:hi])
			next = append(next, hi)
		}
		rows, scratch, bounds = scratch, rows, next
	}
	return rows, scratch
}

// Next implements [battery.Source].
func (m *mergeRuns) Next(iv *battery.Interval) bool {
	if m.err != nil {
		return false
	}
	if !m.filled {
		m.fill()
	}
	if !m.hasPend && !m.srcDone {
		if m.src.Next(&m.pending) {
			m.hasPend = true
		} else {
			m.srcDone = true
		}
	}
	switch {
	case m.i < len(m.held) && (!m.hasPend || m.held[m.i].Start.Before(m.pending.Start)):
		*iv = m.held[m.i]
		m.i++
		if m.i == len(m.held) {
			putHeld(m.held) // nothing more to hold
			m.held = nil
		}
	case m.hasPend:
		*iv = m.pending
		m.hasPend = false
	default:
		return false
	}
	t := iv.Start.UnixNano()
	if m.out > 0 && t <= m.last {
		m.err = errOutOfOrder
		return false
	}
	m.out++
	m.last = t
	return true
}

// Err implements [battery.Source]: the source's error first, since a
// failed read can look like the end of a run.
func (m *mergeRuns) Err() error {
	if err := m.src.Err(); err != nil {
		return err
	}
	return m.err
}
