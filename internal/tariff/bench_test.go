package tariff

import (
	"testing"
	"time"
)

// BenchmarkPriceYear prices a site-year of 5-minute intervals under a
// time-of-use tariff with a demand charge, for the baseline alone and for a
// sweep of 50 battery configurations sharing one Locate per interval. The
// "sum" case only adds the energies up, the least any pricing must do: the
// ratios say what pricing costs on top of reading the numbers.
//
//	go test -run - -bench PriceYear ./internal/tariff/
func BenchmarkPriceYear(b *testing.B) {
	loc := sydney(b)
	p, err := NewPricer(loc, []Period{{ID: 1, Start: date("2024-01-01"), End: date("2025-01-01"),
		Tariff: &Tariff{Name: "tou", Components: append(touTariff(b), supply(b, "1.1"),
			demand(b, "", "0.25", "billing_period", win(b, weekdays, "15:00", "21:00")))}}})
	if err != nil {
		b.Fatal(err)
	}
	var ts []time.Time
	for t := time.Date(2024, 1, 1, 0, 0, 0, 0, loc); t.Year() == 2024; t = t.Add(5 * time.Minute) {
		ts = append(ts, t)
	}
	energy := func(i, cfg int) (float64, float64) {
		return float64((i*7919+cfg)%200) / 3, float64((i*104729+cfg)%150) / 7
	}
	var sumNs float64
	b.Run("sum", func(b *testing.B) {
		for b.Loop() {
			var imp, exp float64
			for i := range ts {
				x, y := energy(i, 0)
				imp += x
				exp += y
			}
			if imp < 0 || exp < 0 {
				b.Fatal("negative")
			}
		}
		sumNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	for _, configs := range []int{1, 50} {
		b.Run(map[int]string{1: "1-config", 50: "50-configs"}[configs], func(b *testing.B) {
			for b.Loop() {
				accs := make([]*Accumulator, configs)
				for i := range accs {
					accs[i] = p.NewAccumulator()
				}
				for i, t := range ts {
					in := p.Locate(t)
					for c, a := range accs {
						imp, exp := energy(i, c)
						a.Add(in, imp, exp)
					}
				}
				for _, a := range accs {
					if _, err := a.Result(); err != nil {
						b.Fatal(err)
					}
				}
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(ns/float64(len(ts)), "ns/interval")
			if sumNs > 0 {
				b.ReportMetric(ns/sumNs, "x-sum")
			}
		})
	}
}
