package battery

import (
	"math"
	"time"
)

// synthStart is the first interval of the synthetic site: a southern
// hemisphere winter start, like the Ausgrid year.
var synthStart = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)

// synthInterval is interval i of a deterministic synthetic household:
// PV following the sun through the seasons with day-to-day cloud, and a
// load with morning and evening peaks. It is computed, not stored, so
// tests can stream any length of data.
func synthInterval(i int, step time.Duration) Interval {
	start := synthStart.Add(time.Duration(i) * step)
	hours := step.Hours()
	day := int(start.Sub(synthStart) / (24 * time.Hour))
	h := float64(start.Sub(synthStart)%(24*time.Hour)) / float64(time.Hour)

	season := 0.75 - 0.25*math.Cos(2*math.Pi*float64(day)/365) // low in July
	cloud := 0.35 + 0.65*unit(uint64(day))
	pv := 0.0
	if h > 6 && h < 18 {
		pv = 5000 * season * cloud * math.Sin(math.Pi*(h-6)/12)
	}
	load := 350 + 1500*math.Exp(-sq(h-7.5)) + 2500*math.Exp(-sq(h-19)/2) + 300*unit(uint64(i)*0x9e37)
	return Interval{
		Start:  start,
		Import: math.Max(load-pv, 0) * hours,
		Export: math.Max(pv-load, 0) * hours,
	}
}

func sq(x float64) float64 { return x * x }

// unit maps n to a fixed pseudo-random number in [0,1) (splitmix64).
func unit(n uint64) float64 {
	z := n + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// synthYear materialises n intervals, for tests and benchmarks that want
// an in-memory source.
func synthYear(n int, step time.Duration) []Interval {
	ivs := make([]Interval, n)
	for i := range ivs {
		ivs[i] = synthInterval(i, step)
	}
	return ivs
}
