package battery

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// at builds intervals starting at the given minute offsets from t0.
func at(minutes ...int) []Interval {
	ivs := make([]Interval, len(minutes))
	for i, m := range minutes {
		ivs[i] = Interval{Start: t0.Add(time.Duration(m) * time.Minute), Import: 100, Export: 50}
	}
	return ivs
}

func TestRunGapsAndInference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		ivs        []Interval
		opts       RunOptions
		nominal    time.Duration
		inferred   bool
		gaps       int
		gapTime    time.Duration
		longestGap time.Duration
		end        time.Time
	}{
		{
			name: "regular", ivs: at(0, 30, 60, 90),
			nominal: 30 * time.Minute, inferred: true, end: t0.Add(120 * time.Minute),
		},
		{
			name: "a gap does not change the inferred length", ivs: at(0, 5, 10, 20, 25, 60, 65),
			nominal: 5 * time.Minute, inferred: true, gaps: 2, gapTime: 35 * time.Minute, longestGap: 30 * time.Minute,
			end: t0.Add(70 * time.Minute),
		},
		{
			name: "a tie goes to the shorter spacing", ivs: at(0, 5, 10, 20, 30),
			nominal: 5 * time.Minute, inferred: true, gaps: 2, gapTime: 10 * time.Minute, longestGap: 5 * time.Minute,
			end: t0.Add(35 * time.Minute),
		},
		{
			name: "given length wins over the data", ivs: at(0, 30, 60), opts: RunOptions{Interval: 15 * time.Minute},
			nominal: 15 * time.Minute, gaps: 2, gapTime: 30 * time.Minute, longestGap: 15 * time.Minute,
			end: t0.Add(75 * time.Minute),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Run(context.Background(), NewSliceSource(tc.ivs), []Config{{CapacityWh: 1000, Efficiency: 0.9}}, nil, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Nominal != tc.nominal || rep.Inferred != tc.inferred {
				t.Errorf("nominal %v inferred %v, want %v %v", rep.Nominal, rep.Inferred, tc.nominal, tc.inferred)
			}
			if rep.Gaps != tc.gaps || rep.GapTime != tc.gapTime || rep.LongestGap != tc.longestGap {
				t.Errorf("gaps %d / %v / longest %v, want %d / %v / %v", rep.Gaps, rep.GapTime, rep.LongestGap, tc.gaps, tc.gapTime, tc.longestGap)
			}
			if rep.Intervals != len(tc.ivs) || !rep.First.Equal(t0) || !rep.End.Equal(tc.end) {
				t.Errorf("intervals %d from %v to %v, want %d from %v to %v", rep.Intervals, rep.First, rep.End, len(tc.ivs), t0, tc.end)
			}
			if got := rep.Covered(); got != tc.end.Sub(t0)-tc.gapTime {
				t.Errorf("covered %v", got)
			}
		})
	}
}

func TestRunExplicitDurations(t *testing.T) {
	t.Parallel()
	// A meter that changed from 30- to 5-minute intervals: with
	// durations given there is nothing to infer and no gap.
	ivs := []Interval{
		{Start: t0, Duration: 30 * time.Minute, Export: 10},
		{Start: t0.Add(30 * time.Minute), Duration: 5 * time.Minute, Export: 10},
		{Start: t0.Add(35 * time.Minute), Duration: 5 * time.Minute, Export: 10},
		{Start: t0.Add(50 * time.Minute), Duration: 5 * time.Minute, Export: 10},
	}
	var durs []time.Duration
	sink := SinkFunc(func(in Interval, out []Result) error { durs = append(durs, in.Duration); return nil })
	rep, err := Run(context.Background(), NewSliceSource(ivs), []Config{{CapacityWh: 1000, Efficiency: 1, StandbyW: 12}}, sink, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Gaps != 1 || rep.GapTime != 10*time.Minute {
		t.Errorf("gaps %d of %v, want 1 of 10m", rep.Gaps, rep.GapTime)
	}
	if want := []time.Duration{30 * time.Minute, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute}; !equalDurations(durs, want) {
		t.Errorf("sink saw durations %v, want %v", durs, want)
	}
	// 12 W for 30+5+5+5 minutes of intervals and 10 minutes of gap.
	if got, want := rep.Results[0].StandbyLossWh, 12*55.0/60; math.Abs(got-want) > 1e-9 {
		t.Errorf("standby loss %v Wh, want %v", got, want)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRunRejects(t *testing.T) {
	t.Parallel()
	good := []Config{{CapacityWh: 1000, Efficiency: 0.9}}
	tests := []struct {
		name string
		ivs  []Interval
		cfgs []Config
		opts RunOptions
		want string
		is   error
	}{
		{name: "no configuration", ivs: at(0, 30), want: "no battery configuration", is: ErrInvalidConfig},
		{name: "invalid configuration in a sweep", ivs: at(0, 30),
			cfgs: []Config{{CapacityWh: 5000, Efficiency: 0.9}, {CapacityWh: 10000, Efficiency: 1.5}},
			want: "battery 2 (10 kWh): battery efficiency must be in (0, 1]", is: ErrInvalidConfig},
		{name: "duplicate timestamp", ivs: at(0, 30, 30), cfgs: good, want: "starts before the previous one ends"},
		{name: "out of order", ivs: at(0, 30, 60, 15), cfgs: good, want: "starts before the previous one ends"},
		{name: "inference looks only at the head", ivs: at(0, 30, 60, 65, 70), cfgs: good, opts: RunOptions{InferFrom: 3},
			want: "starts before the previous one ends"},
		{name: "one interval, no length", ivs: at(0), cfgs: good, want: "cannot infer the interval length", is: ErrUnknownInterval},
		{name: "negative length", ivs: at(0), cfgs: good, opts: RunOptions{Interval: -time.Minute}, want: "must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Run(context.Background(), NewSliceSource(tc.ivs), tc.cfgs, nil, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err %q does not wrap %v", err, tc.is)
			}
		})
	}
}

func TestRunEdgeInputs(t *testing.T) {
	t.Parallel()
	cfgs := []Config{{CapacityWh: 1000, Efficiency: 0.9}, {Model: ModelSeed, CapacityWh: 1000, Efficiency: 0.9}}
	t.Run("empty source", func(t *testing.T) {
		t.Parallel()
		rep, err := Run(context.Background(), NewSliceSource(nil), cfgs, nil, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Intervals != 0 || len(rep.Results) != 2 || rep.Results[0].ImportWh != 0 {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("one interval with its own length", func(t *testing.T) {
		t.Parallel()
		ivs := []Interval{{Start: t0, Duration: time.Hour, Import: 5}}
		rep, err := Run(context.Background(), NewSliceSource(ivs), cfgs, nil, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Intervals != 1 || !rep.End.Equal(t0.Add(time.Hour)) || rep.Results[1].ImportWh != 5 {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("missing values are counted", func(t *testing.T) {
		t.Parallel()
		ivs := at(0, 30, 60, 90)
		ivs[1].Import = math.NaN()
		ivs[3].Export = math.NaN()
		rep, err := Run(context.Background(), NewSliceSource(ivs), cfgs, nil, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.MissingValues != 2 || rep.MissingTime != time.Hour {
			t.Errorf("missing %d over %v, want 2 over 1h", rep.MissingValues, rep.MissingTime)
		}
		for _, tot := range rep.Results {
			if tot.BaselineImportWh != 300 || tot.BaselineExportWh != 150 || math.IsNaN(tot.ImportWh) || math.IsNaN(tot.ExportWh) {
				t.Errorf("%s: totals %+v should skip missing values", tot.Config.Model, tot)
			}
		}
	})
}

// failingSource yields n intervals and then fails, like a dropped
// database connection.
type failingSource struct{ n int }

func (f *failingSource) Next(iv *Interval) bool {
	if f.n == 0 {
		return false
	}
	f.n--
	*iv = Interval{Start: t0.Add(time.Duration(1000-f.n) * 5 * time.Minute), Import: 1}
	return true
}
func (f *failingSource) Err() error {
	if f.n == 0 {
		return errors.New("connection reset")
	}
	return nil
}

type flushCounter struct{ intervals, flushes int }

func (f *flushCounter) Interval(Interval, []Result) error { f.intervals++; return nil }
func (f *flushCounter) Flush() error                      { f.flushes++; return nil }

func TestRunStopsAndFlushes(t *testing.T) {
	t.Parallel()
	cfgs := []Config{{CapacityWh: 1000, Efficiency: 0.9}}
	t.Run("source error", func(t *testing.T) {
		t.Parallel()
		fc := &flushCounter{}
		_, err := Run(context.Background(), &failingSource{n: 500}, cfgs, fc, RunOptions{})
		if err == nil || !strings.Contains(err.Error(), "connection reset") {
			t.Fatalf("err = %v", err)
		}
		if fc.flushes != 0 {
			t.Error("a failed run flushed its sink")
		}
	})
	t.Run("sink error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("disk full")
		n := 0
		_, err := Run(context.Background(), NewSliceSource(synthYear(1000, 5*time.Minute)), cfgs,
			SinkFunc(func(Interval, []Result) error {
				n++
				if n == 10 {
					return boom
				}
				return nil
			}), RunOptions{})
		if !errors.Is(err, boom) || n != 10 {
			t.Fatalf("err = %v after %d intervals", err, n)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Run(ctx, NewSliceSource(synthYear(10000, 5*time.Minute)), cfgs, nil, RunOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("flush once at the end, through Sinks", func(t *testing.T) {
		t.Parallel()
		a, b := &flushCounter{}, &flushCounter{}
		_, err := Run(context.Background(), NewSliceSource(synthYear(700, 5*time.Minute)), cfgs, Sinks(a, SinkFunc(func(Interval, []Result) error { return nil }), b), RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if a.intervals != 700 || b.intervals != 700 || a.flushes != 1 || b.flushes != 1 {
			t.Errorf("sinks saw %+v and %+v", a, b)
		}
	})
}

// TestSweepEqualsSeparateRuns: simulating configurations together must
// give exactly what simulating each alone gives — a sweep shares the
// read, never state.
func TestSweepEqualsSeparateRuns(t *testing.T) {
	t.Parallel()
	ivs := synthYear(20000, 5*time.Minute)
	ivs = append(ivs[:5000:5000], ivs[5100:]...) // a gap
	cfgs := []Config{
		{Model: ModelSeed, CapacityWh: 13500, Efficiency: 0.9},
		{CapacityWh: 10000, Efficiency: 0.9, ChargePowerW: 5000, DischargePowerW: 5000, StandbyW: 10, MinSoC: 0.1},
		{CapacityWh: 5000, ChargeEfficiency: 0.96, DischargeEfficiency: 0.94, FadePerCycle: 0.001, SelfDischargePerDay: 0.01},
	}
	all, err := Run(context.Background(), NewSliceSource(ivs), cfgs, nil, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cfgs {
		one, err := Run(context.Background(), NewSliceSource(ivs), []Config{c}, nil, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Results[i] != one.Results[0] {
			t.Errorf("%s: sweep gave %+v, alone %+v", c.Label(), all.Results[i], one.Results[0])
		}
	}
}

// genSource generates a synthetic site without holding it in memory, to
// show that Run's memory does not depend on the length of the data.
type genSource struct {
	i, n int
}

func (g *genSource) Next(iv *Interval) bool {
	if g.i >= g.n {
		return false
	}
	*iv = synthInterval(g.i, 5*time.Minute)
	g.i++
	return true
}
func (g *genSource) Err() error { return nil }

// Not parallel: AllocsPerRun refuses to run beside other tests.
func TestRunMemoryDoesNotGrowWithData(t *testing.T) {
	cfgs := make([]Config, 10)
	for i := range cfgs {
		cfgs[i] = Config{CapacityWh: float64(i+1) * 2000, Efficiency: 0.9, ChargePowerW: 5000}
	}
	var imported float64
	sink := SinkFunc(func(_ Interval, out []Result) error { imported += out[0].Import; return nil })
	allocs := func(n int) float64 {
		return testing.AllocsPerRun(2, func() {
			if _, err := Run(context.Background(), &genSource{n: n}, cfgs, sink, RunOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(1000), allocs(100_000)
	t.Logf("allocations per run: %v for 1,000 intervals, %v for 100,000", small, large)
	// Nothing may allocate per interval.
	if large > small+5 {
		t.Errorf("%v allocations for 100,000 intervals vs %v for 1,000: memory grows with the data", large, small)
	}
}
