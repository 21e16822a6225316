package tariff

import (
	"testing"
	"time"

	"github.com/solarview/solarview/models"
)

// Demand half-hours are the local clock's, also in zones whose offset is
// not a whole half-hour: in Eucla (UTC+8:45) the epoch's half-hours start
// at :15 and :45 local time, and measuring on them merged 17:25 and 17:30
// into one half-hour of 2.08 kW where the bill has two of 1.1 kW.
func TestDemandHalfHoursInOddOffsetZones(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"Australia/Eucla", "Asia/Kathmandu"} {
		t.Run(zone, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Skipf("no time zone data: %v", err)
			}
			p := pricer(t, loc, "2024-03-04", "2024-03-06",
				supply(t, "1.16"),
				demand(t, "Evening", "1.0", models.DemandOverBillingPeriod, win(t, nil, "17:00", "20:00")))
			a := p.NewAccumulator()
			start := time.Date(2024, 3, 4, 0, 0, 0, 0, loc)
			for ts := start; ts.Before(start.AddDate(0, 0, 2)); ts = ts.Add(fiveMin) {
				wh := 10.0
				if h, m, _ := ts.Clock(); ts.Day() == 4 && h == 17 && (m == 25 || m == 30) {
					wh = 500
				}
				a.AddAt(ts, wh, 0)
			}
			r := mustResult(t, a)
			pc := r.Periods[0]
			// 17:00–17:30 holds 17:25 and five 10 Wh intervals: 550 Wh,
			// 1.1 kW; so does 17:30–18:00. Two days of 1.16 supply and of
			// 1.1 kW at 1.0 per kW per day.
			if pc.PeakKW[1] != 1.1 {
				t.Errorf("peak = %v kW, want 1.1", pc.PeakKW[1])
			}
			if got := pc.Costs.Total().FormatCents(); got != "4.52" {
				t.Errorf("total = %s, want 4.52", got)
			}
		})
	}
}
