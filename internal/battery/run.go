package battery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Source yields intervals in time order, one at a time, so a year of
// 5-minute data never has to be in memory at once. It follows the
// database/sql Rows pattern: Next fills *iv and reports whether it did;
// Err reports why iteration stopped early (nil at a clean end).
type Source interface {
	Next(iv *Interval) bool
	Err() error
}

// SliceSource is a [Source] over intervals already in memory: tests,
// benchmarks and small inputs.
type SliceSource struct {
	ivs []Interval
	i   int
}

// NewSliceSource returns a Source yielding ivs in order.
func NewSliceSource(ivs []Interval) *SliceSource { return &SliceSource{ivs: ivs} }

// Next implements [Source].
func (s *SliceSource) Next(iv *Interval) bool {
	if s.i >= len(s.ivs) {
		return false
	}
	*iv = s.ivs[s.i]
	s.i++
	return true
}

// Err implements [Source]; a slice never fails.
func (s *SliceSource) Err() error { return nil }

// Sink receives every interval once, together with what each
// configuration did in it (out[i] belongs to the i-th Config given to
// [Run]). One call per interval rather than per configuration lets a sink
// work out per-interval facts (local day, tariff window) once for the
// whole sweep. in.Duration is always filled in. out is reused for the
// next interval: copy what must outlive the call. Returning an error
// stops the run.
type Sink interface {
	Interval(in Interval, out []Result) error
}

// SinkFunc adapts a function to [Sink].
type SinkFunc func(in Interval, out []Result) error

// Interval implements [Sink].
func (f SinkFunc) Interval(in Interval, out []Result) error { return f(in, out) }

// Flusher is implemented by sinks that hold a partial aggregate (the
// current day, the current billing period). [Run] calls Flush once after
// the last interval of a successful run so the last aggregate is not
// lost.
type Flusher interface {
	Flush() error
}

// Sinks fans every interval out to several sinks in order, so one pass
// can feed, say, a per-day cost aggregator and a state-of-charge chart.
// Flush is passed on to those that implement [Flusher].
func Sinks(sinks ...Sink) Sink { return multiSink(sinks) }

type multiSink []Sink

func (m multiSink) Interval(in Interval, out []Result) error {
	for _, s := range m {
		if err := s.Interval(in, out); err != nil {
			return err
		}
	}
	return nil
}

func (m multiSink) Flush() error {
	for _, s := range m {
		if f, ok := s.(Flusher); ok {
			if err := f.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// RunOptions tunes [Run]. The zero value infers everything.
type RunOptions struct {
	// Interval is the nominal interval length for intervals without a
	// Duration. Zero: infer it as the most common spacing between the
	// first InferFrom intervals.
	Interval time.Duration
	// InferFrom is how many intervals to look at when inferring.
	// Default: 288, a day of 5-minute data, enough for the usual spacing
	// to win over a few gaps while buffering only a few kilobytes.
	InferFrom int
}

// DefaultInferFrom is the number of leading intervals used to infer the
// nominal interval length when [RunOptions.InferFrom] is zero.
const DefaultInferFrom = 288

// Report describes a run: the data seen, how much of it was missing, and
// the totals of each configuration in the order given.
type Report struct {
	// Intervals is the number of intervals read.
	Intervals int
	// Nominal is the interval length used for intervals without a
	// Duration; Inferred says whether it came from the data.
	Nominal  time.Duration
	Inferred bool
	// First is the start of the first interval, End the end of the last.
	First, End time.Time
	// Gaps counts jumps in time beyond the end of the previous interval;
	// GapTime is their total length and LongestGap the largest. During a
	// gap every battery just waits (standby loss only).
	Gaps       int
	GapTime    time.Duration
	LongestGap time.Duration
	// MissingValues counts intervals whose import or export is missing
	// (NaN), and MissingTime their total length.
	MissingValues int
	MissingTime   time.Duration
	// Results holds one Totals per configuration.
	Results []Totals
}

// Covered is the time the data covers, gaps excluded.
func (r *Report) Covered() time.Duration {
	return r.End.Sub(r.First) - r.GapTime
}

// Run simulates every configuration over src in a single pass: each
// interval is read once and fed to all simulators, then to sink (which
// may be nil). Memory does not grow with the data: beyond the simulators
// it buffers only the InferFrom intervals used to infer the nominal
// length. It fails on an invalid configuration (wrapping
// [ErrInvalidConfig] with the configuration's label), intervals out of
// order or overlapping, a source error, a sink error or ctx ending.
func Run(ctx context.Context, src Source, cfgs []Config, sink Sink, opts RunOptions) (*Report, error) {
	if len(cfgs) == 0 {
		return nil, &configError{msg: "no battery configuration to simulate"}
	}
	if opts.Interval < 0 {
		return nil, fmt.Errorf("nominal interval length must not be negative, got %v", opts.Interval)
	}
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("battery %d (%s): %w", i+1, c.Label(), err)
		}
	}

	rep := &Report{Nominal: opts.Interval}
	// Buffer the head of the data only when the length must be inferred.
	var head []Interval
	if rep.Nominal == 0 {
		n := opts.InferFrom
		if n <= 0 {
			n = DefaultInferFrom
		}
		head = make([]Interval, 0, n)
		var iv Interval
		for len(head) < n && src.Next(&iv) {
			head = append(head, iv)
		}
		if err := src.Err(); err != nil {
			return nil, fmt.Errorf("reading intervals: %w", err)
		}
		d, err := inferInterval(head)
		if err != nil {
			return nil, err
		}
		rep.Nominal, rep.Inferred = d, true
	}

	sims := make([]Simulator, len(cfgs))
	for i := range sims {
		if err := sims[i].init(cfgs[i], rep.Nominal); err != nil {
			return nil, fmt.Errorf("battery %d (%s): %w", i+1, cfgs[i].Label(), err)
		}
	}
	out := make([]Result, len(sims))

	// Gap detection works on Unix nanoseconds: time.Time's Sub and Add
	// cost more than a one-configuration step, and int64 covers the years
	// 1678–2262.
	var prevEndNs int64
	var last, buf Interval
	step := func(in Interval) error {
		if in.Duration == 0 {
			in.Duration = rep.Nominal
		}
		if in.Duration == 0 {
			return fmt.Errorf("%w: the interval at %s has no duration and none could be inferred from the first intervals",
				ErrUnknownInterval, in.Start.Format(time.RFC3339))
		}
		if in.Duration < 0 {
			return fmt.Errorf("interval at %s has a negative duration %v", in.Start.Format(time.RFC3339), in.Duration)
		}
		if rep.Intervals == 0 {
			rep.First = in.Start
		}
		startNs := in.Start.UnixNano()
		if gap := time.Duration(startNs - prevEndNs); rep.Intervals > 0 && gap != 0 {
			if gap < 0 {
				return fmt.Errorf("interval at %s starts before the previous one ends at %s (data must be in time order without overlaps; nominal length %v)",
					in.Start.Format(time.RFC3339), last.Start.Add(last.Duration).Format(time.RFC3339), rep.Nominal)
			}
			rep.Gaps++
			rep.GapTime += gap
			rep.LongestGap = max(rep.LongestGap, gap)
			for i := range sims {
				sims[i].Wait(gap)
			}
		}
		if in.Import != in.Import || in.Export != in.Export {
			rep.MissingValues++
			rep.MissingTime += in.Duration
		}
		served, cl := servedBy(&in, &buf)
		for i := range sims {
			sims[i].step(&in, served, cl, &out[i])
		}
		rep.Intervals++
		prevEndNs = startNs + int64(in.Duration)
		last = in
		if sink != nil {
			return sink.Interval(in, out)
		}
		return nil
	}

	for _, in := range head {
		if err := step(in); err != nil {
			return nil, err
		}
	}
	head = nil
	var in Interval
	for src.Next(&in) {
		// Checking the context costs little but not nothing; every 4096
		// intervals (two weeks of 5-minute data) is prompt enough.
		if rep.Intervals&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := step(in); err != nil {
			return nil, err
		}
	}
	if err := src.Err(); err != nil {
		return nil, fmt.Errorf("reading intervals: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f, ok := sink.(Flusher); ok {
		if err := f.Flush(); err != nil {
			return nil, err
		}
	}
	if rep.Intervals > 0 {
		rep.End = last.Start.Add(last.Duration)
	}
	rep.Results = make([]Totals, len(sims))
	for i := range sims {
		rep.Results[i] = sims[i].Totals()
	}
	return rep, nil
}

// ErrUnknownInterval is returned when the interval length can be neither
// inferred nor taken from the data.
var ErrUnknownInterval = errors.New("cannot infer the interval length")

// inferInterval returns the most common positive spacing between
// consecutive starts (the shortest on a tie, so that a run of gaps
// cannot make intervals look longer than they are). Spacing can only be
// inferred from two or more intervals; with fewer, every interval must
// carry its own Duration (an empty head needs nothing).
func inferInterval(head []Interval) (time.Duration, error) {
	var gaps []time.Duration
	for i := 1; i < len(head); i++ {
		if d := head[i].Start.Sub(head[i-1].Start); d > 0 {
			gaps = append(gaps, d)
		}
	}
	if len(gaps) == 0 {
		for _, iv := range head {
			if iv.Duration <= 0 {
				return 0, fmt.Errorf("%w from %d interval(s) without a duration; give the interval length", ErrUnknownInterval, len(head))
			}
		}
		return 0, nil
	}
	slices.Sort(gaps)
	best, bestN := gaps[0], 0
	for i := 0; i < len(gaps); {
		j := i
		for j < len(gaps) && gaps[j] == gaps[i] {
			j++
		}
		if j-i > bestN {
			best, bestN = gaps[i], j-i
		}
		i = j
	}
	return best, nil
}
