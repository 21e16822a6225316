package battery

import (
	"context"
	"sync"
	"testing"
	"time"
)

// A site-year of 5-minute data: 365 × 288 intervals.
const siteYear = 365 * 288

// benchYear is built on first use so plain test runs do not pay for it.
var benchYear = sync.OnceValue(func() []Interval { return synthYear(siteYear, 5*time.Minute) })

// sinkSum keeps the compiler from discarding the work measured.
var sinkSum float64

// readSource is the baseline every benchmark compares with: the cost of
// merely pulling each interval out of the source and touching it. The
// acceptance targets are ratios against reading the data, so the ratio
// matters more than the absolute figure.
func readSource(ivs []Interval) float64 {
	src := NewSliceSource(ivs)
	var iv Interval
	s := 0.0
	for src.Next(&iv) {
		s += iv.Import - iv.Export
	}
	return s
}

// sourceNsPerInterval measures the baseline inside the calling benchmark
// (best of three passes), so its ratio is taken on the same machine under
// the same load.
func sourceNsPerInterval() float64 {
	best := time.Duration(1 << 62)
	for range 3 {
		start := time.Now()
		sinkSum += readSource(benchYear())
		best = min(best, time.Since(start))
	}
	return float64(best.Nanoseconds()) / siteYear
}

func BenchmarkSource(b *testing.B) {
	benchYear()
	for b.Loop() {
		sinkSum += readSource(benchYear())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/siteYear, "ns/interval")
}

func sweepConfigs(model Model, n int) []Config {
	cfgs := make([]Config, n)
	for i := range cfgs {
		capWh := 1000 * float64(i+1) * 20 / float64(n) // 20 kWh spread over n sizes
		if model == ModelSeed {
			cfgs[i] = Config{Model: ModelSeed, CapacityWh: capWh, Efficiency: 0.9}
			continue
		}
		cfgs[i] = Config{
			CapacityWh: capWh, Efficiency: 0.9, MinSoC: 0.05, ChargePowerW: 5000, DischargePowerW: 5000,
			StandbyW: 10, SelfDischargePerDay: 0.001, FadePerCycle: 0.2 / 6000,
		}
	}
	return cfgs
}

func BenchmarkRun(b *testing.B) {
	cases := []struct {
		name  string
		model Model
		n     int
	}{
		{"seed/1", ModelSeed, 1},
		{"full/1", ModelFull, 1},
		{"seed/50", ModelSeed, 50},
		{"full/50", ModelFull, 50},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cfgs := sweepConfigs(c.model, c.n)
			base := sourceNsPerInterval() // also builds benchYear outside the timer
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rep, err := Run(context.Background(), NewSliceSource(benchYear()), cfgs, nil, RunOptions{})
				if err != nil {
					b.Fatal(err)
				}
				sinkSum += rep.Results[0].ImportWh
			}
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / siteYear
			b.ReportMetric(per, "ns/interval")
			b.ReportMetric(per/float64(c.n), "ns/interval/config")
			b.ReportMetric(per/base, "x-source")
		})
	}
}
