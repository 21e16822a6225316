package report

// Benchmarks of the battery report on real PostgreSQL, against the cost of
// merely reading the data. Run them with
//
//	go test -run '^$' -bench 'Report$' -benchtime 8x ./internal/report
//	go test -run '^$' -bench ReportMemory -benchtime 1x ./internal/report
//
// Every figure that matters is a ratio to a baseline measured in the same
// run, so the machine's speed and load cancel out: x-baseline is the
// fastest run over the fastest stream of the site's summary rows to the
// client, the two interleaved; BenchmarkReportMemory's x-one-year is the
// peak live heap over ten site-years divided by that over one.

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/demo"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/internal/tariff"
)

// benchSite loads years consecutive copies of the demo household's
// 5-minute year (105,408 intervals each) as one site, with the demo's
// time-of-use tariff and monthly billing periods over all of it.
func benchSite(b testing.TB, years int) (*bun.DB, int64) {
	b.Helper()
	db := dbtest.NewMigratedDB(b)
	site := reporttest.AddSite(b, db, demo.Adelaide.Name, demo.Adelaide.TimeZone)
	year := reporttest.DemoYear(b)
	// Shift by whole 366-day blocks of absolute time, so copies follow one
	// another without overlapping or leaving a gap.
	// One Load for all of them: the copies share the NEM days at their
	// seams, which energy_days stores as one row each.
	span := time.Duration(len(year)) * demo.Adelaide.Step
	rows := make([]reporttest.Row, 0, years*len(year))
	for y := 0; y < years; y++ {
		for _, r := range year {
			r.Start = r.Start.Add(time.Duration(y) * span)
			rows = append(rows, r)
		}
	}
	reporttest.Load(b, db, site, demo.Adelaide.Step, rows)
	comps, err := tariff.ParsePlan(demo.Plan)
	if err != nil {
		b.Fatal(err)
	}
	tr := &tariff.Tariff{Name: demo.TariffName, Retailer: demo.RetailerName, Components: comps}
	if err := tariff.SaveTariff(context.Background(), db, tariff.Components, tr); err != nil {
		b.Fatal(err)
	}
	last := year[0].Start.Add(time.Duration(years)*span).AddDate(0, 0, 2)
	reporttest.AddPeriods(b, db, site, tr, "2024-01-01", last.Format(time.DateOnly), "month")
	return db, site
}

// streamOnly is the baseline: the site's summary read as the report reads
// it (streamSummary, prefetching unless inline), every row decoded into an
// interval on the client, and nothing else.
func streamOnly(b testing.TB, db *bun.DB, site int64, inline bool) int {
	n := 0
	err := streamSummary(context.Background(), db, site, span{}, inline, func(src battery.Source) error {
		var iv battery.Interval
		for src.Next(&iv) {
			n++
		}
		return src.Err()
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func sweepOf(model battery.Model, n int) []battery.Config {
	cfgs := make([]battery.Config, n)
	for i := range cfgs {
		cfgs[i] = battery.Config{Model: model, CapacityWh: 1000 * 20 * float64(i+1) / float64(n), Efficiency: 0.9}
		if n == 1 {
			cfgs[i].CapacityWh = 13500
		}
		if model == battery.ModelFull {
			cfgs[i].ChargePowerW, cfgs[i].DischargePowerW = 5000, 5000
		}
	}
	return cfgs
}

// sqlGenerator times a SQL battery generator over the site, summing its
// output on the server so only one row travels.
func sqlGenerator(b *testing.B, db *bun.DB, fn string, site int64) {
	var imp, exp float64
	err := db.NewRaw("SELECT sum(import), sum(export) FROM ?(?, 13500, 0.9)", bun.Ident(fn), site).
		Scan(context.Background(), &imp, &exp)
	if err != nil {
		b.Fatal(err)
	}
}

// pythonGenerator is the seed article's idea, a PL/Python generator that
// keeps the battery's state between rows, written for this schema (one
// site, in time order). It is created only for the benchmark.
const pythonGenerator = `
CREATE FUNCTION battery_status_python(site bigint, capacity float8, efficiency float8)
RETURNS TABLE ("timestamp" timestamptz, stored float8, import float8, export float8)
LANGUAGE plpython3u STABLE AS $py$
plan = plpy.prepare(
    'SELECT "timestamp", import, export FROM summary WHERE site_id = $1 ORDER BY "timestamp"',
    ['bigint'])
energy = 0.0
for row in plpy.cursor(plan, [site]):
    exported = row['export']
    if exported and energy < capacity:
        energy += exported
        exported = energy - capacity if energy > capacity else 0.0
        energy = min(energy, capacity)
    imported = row['import']
    if imported and energy > 0:
        energy -= imported / efficiency
        imported = -energy * efficiency if energy < 0 else 0.0
        energy = max(energy, 0.0)
    yield (row['timestamp'], energy, imported, exported)
$py$`

func BenchmarkReport(b *testing.B) {
	db, site := benchSite(b, 1)
	ctx := context.Background()
	rows := streamOnly(b, db, site, false)
	b.Logf("site-year: %d intervals of 5-minute data", rows)

	b.Run("baseline-stream", func(b *testing.B) {
		for b.Loop() {
			streamOnly(b, db, site, false)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/interval")
	})

	// measure runs fn b.N times and, between runs with the timer stopped,
	// streams the data as the baseline. The ratio is the fastest run over
	// the fastest baseline: interleaving and minima keep the load of other
	// processes on a shared machine out of the figure.
	measure := func(b *testing.B, fn func()) {
		bestRun, bestBase := time.Duration(1<<62), time.Duration(1<<62)
		for b.Loop() {
			start := time.Now()
			fn()
			bestRun = min(bestRun, time.Since(start))
			b.StopTimer()
			start = time.Now()
			streamOnly(b, db, site, false)
			bestBase = min(bestBase, time.Since(start))
			b.StartTimer()
		}
		b.ReportMetric(float64(bestRun.Nanoseconds())/float64(rows), "ns/interval")
		b.ReportMetric(float64(bestRun)/float64(bestBase), "x-baseline")
	}
	report := func(name string, cfgs []battery.Config) {
		b.Run(name, func(b *testing.B) {
			opts := Options{Batteries: cfgs}
			measure(b, func() {
				if _, err := Compute(ctx, db, opts); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	report("seed-1", sweepOf(battery.ModelSeed, 1))
	report("full-1", sweepOf(battery.ModelFull, 1))
	report("seed-50", sweepOf(battery.ModelSeed, 50))
	report("full-50", sweepOf(battery.ModelFull, 50))

	// compare: the current plan and three plans (the demo's time of use
	// and two flat ones), three batteries each, in the same one pass.
	reporttest.AddFlatTariff(b, db, "Flat A", "1.00", "0.30", "0.05")
	reporttest.AddFlatTariff(b, db, "Flat B", "1.20", "0.25", "0.08")
	b.Run("compare-3plans-3", func(b *testing.B) {
		opts := CompareOptions{Options: Options{Batteries: sweepOf(battery.ModelFull, 3)},
			Tariffs: []string{demo.TariffName, "Flat A", "Flat B"}}
		measure(b, func() {
			if _, err := ComputeComparison(ctx, db, opts); err != nil {
				b.Fatal(err)
			}
		})
	})
	// The query that finds stretches where one grid channel has no rows,
	// which every report sends alongside the pass, on its own.
	b.Run("channel-query", func(b *testing.B) {
		measure(b, func() {
			if _, err := channelPresence(ctx, db, site, span{}); err != nil {
				b.Fatal(err)
			}
		})
	})

	generator := func(name, fn string) {
		b.Run(name, func(b *testing.B) {
			measure(b, func() { sqlGenerator(b, db, fn, site) })
		})
	}
	generator("sql-plpgsql-1", "battery_status")
	if _, err := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS plpython3u"); err != nil {
		b.Logf("PL/Python generator skipped: %v (install postgresql-plpython3-15)", err)
		return
	}
	if _, err := db.ExecContext(ctx, pythonGenerator); err != nil {
		b.Fatal(err)
	}
	generator("sql-plpython-1", "battery_status_python")
}

// peakLiveHeap runs the report while another goroutine samples the live
// heap (after a collection) every 20 ms, and returns the largest sample:
// the memory the report holds, not the garbage it leaves.
func peakLiveHeap(b *testing.B, db *bun.DB, cfgs []battery.Config) uint64 {
	var peak uint64
	var ms runtime.MemStats
	sample := func() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	_, err := Compute(context.Background(), db, Options{Batteries: cfgs})
	close(stop)
	<-done
	if err != nil {
		b.Fatal(err)
	}
	sample()
	return peak
}

func BenchmarkReportMemory(b *testing.B) {
	one, _ := benchSite(b, 1)
	ten, _ := benchSite(b, 10)
	for _, n := range []int{1, 50} {
		b.Run(fmt.Sprintf("configs-%d", n), func(b *testing.B) {
			cfgs := sweepOf(battery.ModelFull, n)
			// Warm up first: the first report on a connection fills
			// caches (statements, pools, time zones) that stay whatever
			// the data, and would flatter whichever site came first.
			peakLiveHeap(b, one, cfgs)
			peakLiveHeap(b, ten, cfgs)
			var p1, p10 uint64
			for b.Loop() {
				p1 = peakLiveHeap(b, one, cfgs)
				p10 = peakLiveHeap(b, ten, cfgs)
			}
			b.ReportMetric(float64(p1)/(1<<20), "MiB-1-year")
			b.ReportMetric(float64(p10)/(1<<20), "MiB-10-years")
			b.ReportMetric(float64(p10)/float64(p1), "x-one-year")
		})
	}
}
