package battery

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/testfiles"
)

// ---------------------------------------------------------------------
// The oracle: the seed article's PL/Python generator transliterated line
// by line, written separately from the engine and deliberately naive.
// None is a nil pointer and Python truthiness is spelled out, so the
// engine's NaN-and-comparison tricks are checked against the plain
// reading of the original.
// ---------------------------------------------------------------------

type oracleRow struct {
	imp, exp *float64 // nil is None
}

type oracleOut struct {
	energy   float64
	imp, exp *float64
}

// pyTruthy is Python's `if x:` for a number that may be None.
func pyTruthy(x *float64) bool { return x != nil && *x != 0 }

func seedGenerator(capacity, efficiency float64, rows []oracleRow) []oracleOut {
	var result []oracleOut
	energy := 0.0
	for _, row := range rows {
		exportAmount := row.exp
		if pyTruthy(exportAmount) && energy < capacity {
			energy += *exportAmount
			if energy > capacity {
				v := energy - capacity
				exportAmount = &v
				energy = capacity
			} else {
				v := 0.0
				exportAmount = &v
			}
		}
		importAmount := row.imp
		if pyTruthy(importAmount) && energy > 0 {
			energy -= *importAmount / efficiency
			if energy < 0 {
				v := -energy * efficiency
				importAmount = &v
				energy = 0
			} else {
				v := 0.0
				importAmount = &v
			}
		}
		result = append(result, oracleOut{energy, importAmount, exportAmount})
	}
	return result
}

func fp(v float64) *float64 { return &v }

// toIntervals maps None to NaN, the engine's missing value, on a regular
// half-hour grid.
func toIntervals(rows []oracleRow) []Interval {
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ivs := make([]Interval, len(rows))
	for i, r := range rows {
		ivs[i] = Interval{Start: start.Add(time.Duration(i) * 30 * time.Minute), Import: math.NaN(), Export: math.NaN()}
		if r.imp != nil {
			ivs[i].Import = *r.imp
		}
		if r.exp != nil {
			ivs[i].Export = *r.exp
		}
	}
	return ivs
}

const seedTol = 1e-9 // Wh

// sameValue compares an engine value with an oracle value that may be
// None (which the engine must report as NaN).
func sameValue(got float64, want *float64) bool {
	if want == nil {
		return math.IsNaN(got)
	}
	return math.Abs(got-*want) <= seedTol
}

func showOpt(v *float64) string {
	if v == nil {
		return "None"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// compareSeed runs the engine through Run (the sweep path the CLI uses)
// with every configuration at once and checks each interval of each
// against the oracle, plus the totals against sums of the oracle's
// output.
func compareSeed(t *testing.T, rows []oracleRow, cfgs [][2]float64) {
	t.Helper()
	configs := make([]Config, len(cfgs))
	want := make([][]oracleOut, len(cfgs))
	for i, c := range cfgs {
		configs[i] = Config{Model: ModelSeed, CapacityWh: c[0], Efficiency: c[1]}
		want[i] = seedGenerator(c[0], c[1], rows)
	}
	k := 0
	failures := 0
	sink := SinkFunc(func(in Interval, out []Result) error {
		for i := range out {
			w, g := want[i][k], out[i]
			if math.Abs(g.Stored-w.energy) > seedTol || !sameValue(g.Import, w.imp) || !sameValue(g.Export, w.exp) {
				if failures < 5 {
					t.Errorf("capacity %v efficiency %v interval %d (%s): engine stored %v import %v export %v, generator %v %s %s",
						cfgs[i][0], cfgs[i][1], k, in.Start.Format(time.DateTime), g.Stored, g.Import, g.Export,
						w.energy, showOpt(w.imp), showOpt(w.exp))
				}
				failures++
			}
		}
		k++
		return nil
	})
	rep, err := Run(context.Background(), NewSliceSource(toIntervals(rows)), configs, sink, RunOptions{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if k != len(rows) || rep.Intervals != len(rows) {
		t.Fatalf("sink saw %d intervals, report %d, want %d", k, rep.Intervals, len(rows))
	}
	for i := range cfgs {
		var imp, exp, bimp, bexp float64
		for j, o := range want[i] {
			if o.imp != nil {
				imp += *o.imp
				bimp += *rows[j].imp
			}
			if o.exp != nil {
				exp += *o.exp
				bexp += *rows[j].exp
			}
		}
		tot := rep.Results[i]
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"import", tot.ImportWh, imp}, {"export", tot.ExportWh, exp},
			{"baseline import", tot.BaselineImportWh, bimp}, {"baseline export", tot.BaselineExportWh, bexp},
		} {
			if math.Abs(c.got-c.want) > 1e-6 {
				t.Errorf("capacity %v efficiency %v: total %s %v Wh, generator %v Wh", cfgs[i][0], cfgs[i][1], c.name, c.got, c.want)
			}
		}
		// Whatever the generator did, the energy must balance.
		if bal := tot.ChargedWh - tot.DischargedWh - tot.LossesWh() - (tot.FinalStoredWh - tot.InitialStoredWh); math.Abs(bal) > 1e-6 {
			t.Errorf("capacity %v efficiency %v: energy balance off by %v Wh", cfgs[i][0], cfgs[i][1], bal)
		}
	}
	if failures > 0 {
		t.Errorf("%d interval mismatches in total", failures)
	}
}

// ausgridRows reads the Ausgrid half-hourly year: net import and export
// from gross consumption (GC) and gross generation (GG), in Wh.
func ausgridRows(t testing.TB) ([]time.Time, []oracleRow) {
	t.Helper()
	path := testfiles.Ausgrid(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(head) != 3 || head[1] != "GC" || head[2] != "GG" {
		t.Fatalf("%s: header %q, want timestamp,GC,GG", path, head)
	}
	var ts []time.Time
	var rows []oracleRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.DateTime, rec[0])
		if err != nil {
			t.Fatal(err)
		}
		gc, err1 := strconv.ParseFloat(rec[1], 64)
		gg, err2 := strconv.ParseFloat(rec[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad row %q", path, rec)
		}
		ts = append(ts, at)
		rows = append(rows, oracleRow{imp: fp(math.Max(gc-gg, 0) * 1000), exp: fp(math.Max(gg-gc, 0) * 1000)})
	}
	if len(rows) < 17000 {
		t.Fatalf("%s: only %d rows, expected a year of half hours", path, len(rows))
	}
	return ts, rows
}

func TestSeedMatchesGeneratorOnAusgridYear(t *testing.T) {
	t.Parallel()
	_, rows := ausgridRows(t)
	compareSeed(t, rows, [][2]float64{
		{13500, 0.9}, {5000, 0.9}, {10000, 0.95}, {20000, 1}, {1, 0.5}, {100000, 0.8},
	})
}

// TestSeedAusgridTotals pins the headline figure so that a change that
// broke engine and oracle the same way would still be noticed: the
// battery must cut import and export by the energy it shifted, and a
// 13.5 kWh battery over this household's year must shift something.
func TestSeedAusgridTotals(t *testing.T) {
	t.Parallel()
	_, rows := ausgridRows(t)
	rep, err := Run(context.Background(), NewSliceSource(toIntervals(rows)),
		[]Config{{Model: ModelSeed, CapacityWh: 13500, Efficiency: 0.9}}, nil, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tot := rep.Results[0]
	if rep.Nominal != 30*time.Minute || rep.Gaps != 0 || rep.MissingValues != 0 {
		t.Errorf("report: nominal %v gaps %d missing %d, want 30m, 0, 0", rep.Nominal, rep.Gaps, rep.MissingValues)
	}
	if tot.ChargedWh < 100_000 {
		t.Errorf("charged only %v Wh over a sunny year", tot.ChargedWh)
	}
	if d := tot.BaselineExportWh - tot.ExportWh - tot.ChargedWh; math.Abs(d) > 1e-6 {
		t.Errorf("export reduction differs from energy charged by %v Wh", d)
	}
	if d := tot.BaselineImportWh - tot.ImportWh - tot.DischargedWh; math.Abs(d) > 1e-6 {
		t.Errorf("import reduction differs from energy discharged by %v Wh", d)
	}
	// Discharge loss is (1/η − 1) of what was delivered, since all of it
	// is charged on the way out.
	if want := tot.DischargedWh * (1/0.9 - 1); math.Abs(tot.DischargeLossWh-want) > 1e-6 {
		t.Errorf("discharge loss %v Wh, want %v", tot.DischargeLossWh, want)
	}
	t.Logf("13.5 kWh seed battery: import %.0f → %.0f Wh, export %.0f → %.0f Wh, %.1f cycles",
		tot.BaselineImportWh, tot.ImportWh, tot.BaselineExportWh, tot.ExportWh, tot.EquivalentFullCycles)
}

func TestSeedEdgeCasesMatchGenerator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rows []oracleRow
		cfgs [][2]float64
	}{
		{"empty", nil, [][2]float64{{13500, 0.9}}},
		{"all zero", []oracleRow{{fp(0), fp(0)}, {fp(0), fp(0)}, {fp(0), fp(0)}}, [][2]float64{{13500, 0.9}}},
		{"exactly full then overflow", []oracleRow{{fp(0), fp(600)}, {fp(0), fp(400)}, {fp(0), fp(50)}, {fp(100), fp(0)}}, [][2]float64{{1000, 0.5}}},
		{"exactly empty", []oracleRow{{fp(0), fp(500)}, {fp(250), fp(0)}, {fp(10), fp(0)}}, [][2]float64{{1000, 0.5}}},
		{"runs out mid interval", []oracleRow{{fp(0), fp(300)}, {fp(1000), fp(0)}}, [][2]float64{{1000, 0.9}, {1000, 1}}},
		{"efficiency 1", []oracleRow{{fp(0), fp(700)}, {fp(300), fp(0)}, {fp(500), fp(0)}}, [][2]float64{{1000, 1}}},
		{"tiny capacity", []oracleRow{{fp(0), fp(1e-3)}, {fp(5e-4), fp(0)}, {fp(1), fp(1)}}, [][2]float64{{1e-9, 0.9}, {1e-3, 0.3}}},
		{"both flows in one interval", []oracleRow{{fp(200), fp(300)}, {fp(200), fp(300)}}, [][2]float64{{1000, 0.9}}},
		{"missing values", []oracleRow{{nil, fp(500)}, {fp(100), nil}, {nil, nil}, {fp(100), fp(0)}, {fp(1000), fp(0)}}, [][2]float64{{1000, 0.9}}},
		// Python treats a negative reading as true: the generator adds it
		// and the stored energy can go below zero. Seed mode must agree.
		{"negative readings", []oracleRow{{fp(0), fp(-5)}, {fp(10), fp(0)}, {fp(-20), fp(100)}, {fp(0), fp(-200)}}, [][2]float64{{1000, 0.9}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			compareSeed(t, tc.rows, tc.cfgs)
		})
	}
}

// TestSeedEdgeCasesByHand states the expected numbers outright, so the
// oracle itself is checked too.
func TestSeedEdgeCasesByHand(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	type want struct{ imp, exp, stored float64 }
	tests := []struct {
		name     string
		capacity float64
		eff      float64
		in       [][2]float64 // import, export
		want     []want
	}{
		{"exactly full: the next surplus passes through", 1000, 0.5,
			[][2]float64{{0, 600}, {0, 400}, {0, 50}},
			[]want{{0, 0, 600}, {0, 0, 1000}, {0, 50, 1000}}},
		{"overflow exports the excess", 1000, 0.5,
			[][2]float64{{0, 1200}},
			[]want{{0, 200, 1000}}},
		{"exactly empty imports nothing", 1000, 0.5,
			[][2]float64{{0, 500}, {250, 0}, {10, 0}},
			[]want{{0, 0, 500}, {0, 0, 0}, {10, 0, 0}}},
		{"running out: remaining import is -energy*efficiency", 1000, 0.5,
			[][2]float64{{0, 100}, {80, 0}},
			[]want{{0, 0, 100}, {30, 0, 0}}},
		{"missing values pass through as missing", 1000, 0.5,
			[][2]float64{{nan, 100}, {20, nan}, {nan, nan}},
			[]want{{nan, 0, 100}, {0, nan, 60}, {nan, nan, 60}}},
		{"negative export drains below zero", 1000, 0.5,
			[][2]float64{{0, -5}, {10, 0}},
			[]want{{0, 0, -5}, {10, 0, -5}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, err := NewSimulator(Config{Model: ModelSeed, CapacityWh: tc.capacity, Efficiency: tc.eff}, 0)
			if err != nil {
				t.Fatal(err)
			}
			same := func(a, b float64) bool { return (math.IsNaN(a) && math.IsNaN(b)) || a == b }
			for i, in := range tc.in {
				r := sim.Step(Interval{Import: in[0], Export: in[1]})
				w := tc.want[i]
				if !same(r.Import, w.imp) || !same(r.Export, w.exp) || !same(r.Stored, w.stored) {
					t.Errorf("step %d: import %v export %v stored %v, want %v %v %v", i, r.Import, r.Export, r.Stored, w.imp, w.exp, w.stored)
				}
			}
		})
	}
}
