package battery

import (
	"context"
	"math"
	"testing"
	"time"
)

// step is one interval of a hand-worked example: the input and the
// numbers expected back, worked out on paper from the model's rules.
type step struct {
	dur      time.Duration // 0: the simulator's nominal 30 minutes
	imp, exp float64
	wait     time.Duration // a gap before this interval

	wantImp, wantExp, wantStored float64
	wantCharged, wantDischarged  float64
	wantLosses                   float64 // all losses of the interval (gap excluded)
}

func TestFullModelByHand(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{
			name: "round trip split by square root",
			cfg:  Config{CapacityWh: 10000, Efficiency: 0.81},
			steps: []step{
				{exp: 1000, wantStored: 900, wantCharged: 1000, wantLosses: 100},
				{imp: 810, wantStored: 0, wantDischarged: 810, wantLosses: 90},
				{imp: 100, wantImp: 100},
			},
		},
		{
			name: "usable window bounds charge and discharge",
			cfg:  Config{CapacityWh: 10000, ChargeEfficiency: 1, DischargeEfficiency: 1, MinSoC: 0.1, MaxSoC: 0.9},
			steps: []step{
				{exp: 9000, wantExp: 1000, wantStored: 9000, wantCharged: 8000},
				{exp: 10, wantExp: 10, wantStored: 9000},
				{imp: 10000, wantImp: 2000, wantStored: 1000, wantDischarged: 8000},
			},
		},
		{
			name: "power limits scale with the interval's length",
			cfg:  Config{CapacityWh: 100000, ChargeEfficiency: 1, DischargeEfficiency: 1, ChargePowerW: 2000, DischargePowerW: 1000},
			steps: []step{
				{exp: 3000, wantExp: 2000, wantStored: 1000, wantCharged: 1000},
				{dur: 2 * time.Hour, exp: 5000, wantExp: 1000, wantStored: 5000, wantCharged: 4000},
				{dur: 15 * time.Minute, imp: 1000, wantImp: 750, wantStored: 4750, wantDischarged: 250},
				{imp: 1000, wantImp: 500, wantStored: 4250, wantDischarged: 500},
			},
		},
		{
			name: "standby drain, never below empty",
			cfg:  Config{CapacityWh: 1000, Efficiency: 1, StandbyW: 10, InitialSoC: 0.004},
			steps: []step{
				{wantStored: 0, wantLosses: 4},
				{exp: 100, wantStored: 95, wantCharged: 100, wantLosses: 5},
			},
		},
		{
			name: "self-discharge compounds over a gap",
			cfg:  Config{CapacityWh: 1000, Efficiency: 1, SelfDischargePerDay: 0.5, InitialSoC: 0.8},
			steps: []step{
				{wait: 48 * time.Hour, dur: time.Nanosecond, wantStored: 200},
			},
		},
		{
			name: "gap: the battery waits, no energy invented",
			cfg:  Config{CapacityWh: 1000, Efficiency: 1, StandbyW: 2, InitialSoC: 0.5},
			steps: []step{
				{wait: 10 * time.Hour, imp: 100, wantStored: 400 - 20 - 1, wantDischarged: 100, wantLosses: 1},
			},
		},
		{
			name: "initial charge outside the window starts at the bound",
			cfg:  Config{CapacityWh: 1000, Efficiency: 1, MaxSoC: 0.6, InitialSoC: 0.9},
			steps: []step{
				{exp: 50, wantExp: 50, wantStored: 600},
			},
		},
		{
			name: "missing values are never acted on and stay missing",
			cfg:  Config{CapacityWh: 1000, Efficiency: 1, InitialSoC: 0.5},
			steps: []step{
				{imp: nan, exp: 100, wantImp: nan, wantStored: 600, wantCharged: 100},
				{imp: 50, exp: nan, wantExp: nan, wantStored: 550, wantDischarged: 50},
				{imp: nan, exp: nan, wantImp: nan, wantExp: nan, wantStored: 550},
			},
		},
		{
			name: "negative readings pass through untouched",
			cfg:  Config{CapacityWh: 1000, Efficiency: 1, InitialSoC: 0.5},
			steps: []step{
				{imp: -3, exp: -5, wantImp: -3, wantExp: -5, wantStored: 500},
			},
		},
		{
			name: "linear fade with throughput",
			// One full cycle (2000 Wh through the cells) costs 10% of
			// nominal; what no longer fits is a fade loss.
			cfg: Config{CapacityWh: 1000, Efficiency: 1, FadePerCycle: 0.1},
			steps: []step{
				{exp: 1000, wantStored: 950, wantCharged: 1000, wantLosses: 50},
				{imp: 1000, wantImp: 50, wantStored: 0, wantDischarged: 950},
				// Throughput 2852.5 Wh is 1.42625 cycles: capacity 857.375 Wh.
				{exp: 2000, wantExp: 1097.5, wantStored: 857.375, wantCharged: 902.5, wantLosses: 45.125},
			},
		},
	}
	const tol = 1e-9
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, err := NewSimulator(tc.cfg, 30*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range tc.steps {
				if s.wait > 0 {
					sim.Wait(s.wait)
				}
				r := sim.Step(Interval{Duration: s.dur, Import: s.imp, Export: s.exp})
				for _, c := range []struct {
					name      string
					got, want float64
				}{
					{"import", r.Import, s.wantImp}, {"export", r.Export, s.wantExp}, {"stored", r.Stored, s.wantStored},
					{"charged", r.Charged, s.wantCharged}, {"discharged", r.Discharged, s.wantDischarged},
					{"losses", r.Losses(), s.wantLosses},
				} {
					if math.IsNaN(c.want) != math.IsNaN(c.got) || math.Abs(c.got-c.want) > tol {
						t.Errorf("step %d: %s = %v, want %v", i, c.name, c.got, c.want)
					}
				}
			}
		})
	}
}

// ausgridIntervals is the Ausgrid year as engine input.
func ausgridIntervals(t testing.TB) []Interval {
	ts, rows := ausgridRows(t)
	ivs := make([]Interval, len(rows))
	for i, r := range rows {
		ivs[i] = Interval{Start: ts[i], Import: *r.imp, Export: *r.exp}
	}
	return ivs
}

// TestFullModelReducesToSeed: with no window, no limits, no standby and
// the whole efficiency on discharge, the full model is the seed model
// computed differently, so they must agree up to rounding.
func TestFullModelReducesToSeed(t *testing.T) {
	t.Parallel()
	ivs := ausgridIntervals(t)
	cfgs := []Config{
		{Model: ModelSeed, CapacityWh: 13500, Efficiency: 0.9},
		{CapacityWh: 13500, ChargeEfficiency: 1, DischargeEfficiency: 0.9},
	}
	worst := 0.0
	sink := SinkFunc(func(in Interval, out []Result) error {
		for _, d := range []float64{out[0].Import - out[1].Import, out[0].Export - out[1].Export, out[0].Stored - out[1].Stored} {
			worst = math.Max(worst, math.Abs(d))
		}
		return nil
	})
	if _, err := Run(context.Background(), NewSliceSource(ivs), cfgs, sink, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if worst > 1e-6 {
		t.Errorf("full model differs from seed by up to %v Wh", worst)
	}
}

// TestFullModelInvariantsOnAusgrid runs every feature at once over a real
// year and checks what must always hold: energy balances, the charge
// stays in its window, power limits hold per interval, and the battery
// only ever reduces import and export.
func TestFullModelInvariantsOnAusgrid(t *testing.T) {
	t.Parallel()
	ivs := ausgridIntervals(t)
	// Punch holes in the year: a day missing entirely and some missing
	// readings, as real data has.
	var holed []Interval
	for i, iv := range ivs {
		switch {
		case i >= 5000 && i < 5048:
			continue
		case i%997 == 0:
			iv.Import = math.NaN()
		case i%1009 == 0:
			iv.Export = math.NaN()
		}
		holed = append(holed, iv)
	}
	cfgs := []Config{
		{CapacityWh: 13500, Efficiency: 0.9, MinSoC: 0.05, MaxSoC: 0.95, ChargePowerW: 5000, DischargePowerW: 5000,
			StandbyW: 15, SelfDischargePerDay: 0.002, InitialSoC: 0.5, FadePerCycle: 0.2 / 6000},
		{CapacityWh: 5000, Efficiency: 0.85, ChargePowerW: 800, DischargePowerW: 1200, StandbyW: 5},
		{CapacityWh: 2000, ChargeEfficiency: 0.97, DischargeEfficiency: 0.93, FadePerCycle: 0.01},
	}
	hi := make([]float64, len(cfgs))
	for i, c := range cfgs {
		hi[i] = c.CapacityWh
		if c.MaxSoC != 0 {
			hi[i] = c.MaxSoC * c.CapacityWh
		}
	}
	const tol = 1e-9
	sink := SinkFunc(func(in Interval, out []Result) error {
		for i, r := range out {
			c := cfgs[i]
			if r.Stored < -tol || r.Stored > hi[i]+tol {
				t.Fatalf("battery %d at %s: stored %v outside [0, %v]", i, in.Start, r.Stored, hi[i])
			}
			if c.ChargePowerW > 0 && r.Charged > c.ChargePowerW*in.Duration.Hours()+tol {
				t.Fatalf("battery %d at %s: charged %v Wh over the power limit", i, in.Start, r.Charged)
			}
			if c.DischargePowerW > 0 && r.Discharged > c.DischargePowerW*in.Duration.Hours()+tol {
				t.Fatalf("battery %d at %s: discharged %v Wh over the power limit", i, in.Start, r.Discharged)
			}
			if r.Import > in.Import+tol || r.Export > in.Export+tol || r.Import < -tol || r.Export < -tol {
				t.Fatalf("battery %d at %s: flows %v/%v from %v/%v", i, in.Start, r.Import, r.Export, in.Import, in.Export)
			}
			if math.IsNaN(in.Import) != math.IsNaN(r.Import) || math.IsNaN(in.Export) != math.IsNaN(r.Export) {
				t.Fatalf("battery %d at %s: missing input did not stay missing", i, in.Start)
			}
		}
		return nil
	})
	rep, err := Run(context.Background(), NewSliceSource(holed), cfgs, sink, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Gaps != 1 || rep.GapTime != 24*time.Hour {
		t.Errorf("gaps %d totalling %v, want 1 of 24h", rep.Gaps, rep.GapTime)
	}
	if rep.MissingValues == 0 || rep.MissingTime != time.Duration(rep.MissingValues)*30*time.Minute {
		t.Errorf("missing values %d over %v", rep.MissingValues, rep.MissingTime)
	}
	for i, tot := range rep.Results {
		bal := tot.ChargedWh - tot.DischargedWh - tot.LossesWh() - (tot.FinalStoredWh - tot.InitialStoredWh)
		if math.Abs(bal) > 1e-6 {
			t.Errorf("battery %d: energy balance off by %v Wh", i, bal)
		}
		if d := tot.BaselineExportWh - tot.ExportWh - tot.ChargedWh; math.Abs(d) > 1e-6 {
			t.Errorf("battery %d: export reduction differs from charged energy by %v Wh", i, d)
		}
		if tot.DischargedWh <= 0 || tot.EquivalentFullCycles <= 0 {
			t.Errorf("battery %d did nothing: %+v", i, tot)
		}
		if cfgs[i].FadePerCycle > 0 && !(tot.FinalCapacityWh < cfgs[i].CapacityWh) {
			t.Errorf("battery %d: capacity %v did not fade", i, tot.FinalCapacityWh)
		}
		if cfgs[i].StandbyW > 0 && tot.StandbyLossWh < cfgs[i].StandbyW*24 {
			t.Errorf("battery %d: standby loss %v Wh is less than the gap alone should cost", i, tot.StandbyLossWh)
		}
		t.Logf("%s: import %.0f → %.0f Wh, cycles %.1f, losses %.0f Wh, final capacity %.0f Wh",
			tot.Config.Label(), tot.BaselineImportWh, tot.ImportWh, tot.EquivalentFullCycles, tot.LossesWh(), tot.FinalCapacityWh)
	}
}
