package battery

import (
	"context"
	"math"
	"testing"
)

// withHotWater adds an off-peak hot-water circuit to the Ausgrid year:
// 1.2 kWh a half-hour from midnight to 03:00, metered as controlled load
// and so part of the import.
func withHotWater(t testing.TB) (plain, with []Interval) {
	plain = ausgridIntervals(t)
	with = make([]Interval, len(plain))
	for i, iv := range plain {
		if h := iv.Start.Hour(); h < 3 {
			iv.ControlledLoad = 1200
			iv.Import += 1200
		}
		with[i] = iv
	}
	return plain, with
}

// TestSeedWithControlledLoad: the seed model serves the general circuit
// only, so on a year with a controlled load it does what the generator
// does on the general import, interval by interval, and imports the
// controlled load on top.
func TestSeedWithControlledLoad(t *testing.T) {
	t.Parallel()
	plain, with := withHotWater(t)
	rows := make([]oracleRow, len(plain))
	for i, iv := range plain {
		rows[i] = oracleRow{imp: fp(iv.Import), exp: fp(iv.Export)}
	}
	want := seedGenerator(13500, 0.9, rows)
	k, bad := 0, 0
	sink := SinkFunc(func(in Interval, out []Result) error {
		w, g := want[k], out[0]
		if math.Abs(g.Stored-w.energy) > seedTol || math.Abs(g.Import-(*w.imp+in.ControlledLoad)) > seedTol ||
			math.Abs(g.Export-*w.exp) > seedTol {
			if bad < 5 {
				t.Errorf("interval %d: stored %v import %v export %v; generator on the general import %v %v %v, plus %v Wh of controlled load",
					k, g.Stored, g.Import, g.Export, w.energy, *w.imp, *w.exp, in.ControlledLoad)
			}
			bad++
		}
		k++
		return nil
	})
	rep, err := Run(context.Background(), NewSliceSource(with), []Config{{Model: ModelSeed, CapacityWh: 13500, Efficiency: 0.9}}, sink, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if k != len(with) {
		t.Fatalf("sink saw %d intervals, want %d", k, len(with))
	}
	// A battery that took the controlled load too would import less.
	tot := rep.Results[0]
	cl := 0.0
	for _, iv := range with {
		cl += iv.ControlledLoad
	}
	if cl < 1e6 || tot.ImportWh < cl {
		t.Errorf("import with the battery %v Wh, below the year's %v Wh of controlled load", tot.ImportWh, cl)
	}
	// Step, a single interval at a time, applies the same rule.
	sim, err := NewSimulator(Config{Model: ModelSeed, CapacityWh: 1000, Efficiency: 0.5}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		in               Interval
		imp, exp, stored float64
	}{
		{Interval{Export: 600}, 0, 0, 600},
		// 500 Wh imported, 400 of them hot water: the battery covers the
		// 100 general (200 from the cells), not the 400.
		{Interval{Import: 500, ControlledLoad: 400}, 400, 0, 400},
		// More controlled load than import: the general circuit drew
		// nothing.
		{Interval{Import: 100, ControlledLoad: 150}, 150, 0, 400},
		// Not metered (NaN) is no controlled load.
		{Interval{Import: 100, ControlledLoad: math.NaN()}, 0, 0, 200},
	} {
		r := sim.Step(c.in)
		if r.Import != c.imp || r.Export != c.exp || r.Stored != c.stored {
			t.Errorf("step %d: import %v export %v stored %v, want %v %v %v", i, r.Import, r.Export, r.Stored, c.imp, c.exp, c.stored)
		}
	}
}

// TestFullModelLeavesControlledLoad: the full model, too, never
// discharges into the controlled load: with it, import grows by exactly
// the controlled load and nothing else changes.
func TestFullModelLeavesControlledLoad(t *testing.T) {
	t.Parallel()
	plain, with := withHotWater(t)
	cfg := []Config{{CapacityWh: 10000, Efficiency: 0.9, ChargePowerW: 5000, DischargePowerW: 5000, MinSoC: 0.1, StandbyW: 20}}
	collect := func(ivs []Interval) []Result {
		var out []Result
		sink := SinkFunc(func(_ Interval, r []Result) error {
			out = append(out, r[0])
			return nil
		})
		if _, err := Run(context.Background(), NewSliceSource(ivs), cfg, sink, RunOptions{}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := collect(plain), collect(with)
	// Taking 1,200 Wh off an import that was given 1,200 Wh more rounds,
	// so equal means to a nano-Wh here.
	near := func(x, y float64) bool { return math.Abs(x-y) <= seedTol }
	for i := range a {
		if !near(b[i].Import, a[i].Import+with[i].ControlledLoad) || !near(b[i].Export, a[i].Export) ||
			!near(b[i].Stored, a[i].Stored) || !near(b[i].Discharged, a[i].Discharged) {
			t.Fatalf("interval %d: with controlled load %+v, without %+v (controlled load %v Wh)", i, b[i], a[i], with[i].ControlledLoad)
		}
	}
}
