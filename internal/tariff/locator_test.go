package tariff

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/solarview/solarview/models"
)

// TestLocatorMatchesLocate walks five-minute (and odd-second) instants
// through daylight-saving changes, zones with half- and quarter-hour
// offsets, NEM midnights, public holidays, gaps between billing periods and
// their edges, in order and shuffled, and wants the Locator to say exactly
// what Pricer.Locate says of every one.
func TestLocatorMatchesLocate(t *testing.T) {
	t.Parallel()
	local := append(touTariff(t),
		demand(t, "Demand", "0.40", models.DemandOverDay, holidayWin(win(t, weekdays, "15:00", "21:00"), models.HolidaysExclude)))
	nem := []Component{
		usage(t, "Peak", "0.50", nemWin(win(t, weekdays, "14:00", "20:00"))),
		usage(t, "Off", "0.20", nemWin(win(t, weekdays, "20:00", "14:00"))),
		usage(t, "Weekend", "0.10", nemWin(win(t, []int16{6, 7}, "", ""))),
		demand(t, "Demand", "0.40", models.DemandOverDay, nemWin(holidayWin(win(t, weekdays, "15:00", "21:00"), models.HolidaysExclude))),
	}
	holidays := NewHolidays([]time.Time{date("2024-04-06"), date("2024-10-06"), date("2024-04-07")},
		[]string{"a", "b", "c"})
	for _, zone := range []string{"Australia/Adelaide", "Australia/Lord_Howe", "Australia/Eucla",
		"Australia/Brisbane", "America/New_York", "Asia/Kathmandu", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		p, err := NewPricer(loc, []Period{
			{ID: 1, Start: date("2024-03-30"), End: date("2024-04-10"), Tariff: &Tariff{Name: "local", Components: local}, Holidays: holidays},
			{ID: 2, Start: date("2024-04-12"), End: date("2024-04-14"), Tariff: &Tariff{Name: "nem", Components: nem}, Holidays: holidays},
			{ID: 3, Start: date("2024-10-01"), End: date("2024-11-10"), Tariff: &Tariff{Name: "nem", Components: nem}, Holidays: holidays},
			{ID: 4, Start: date("2024-11-10"), End: date("2024-11-12"), Tariff: &Tariff{Name: "local", Components: local}, Holidays: holidays},
		})
		if err != nil {
			t.Fatal(err)
		}
		var ts []time.Time
		for _, r := range [][2]string{{"2024-03-28", "2024-04-16"}, {"2024-09-29", "2024-11-14"}} {
			for x := date(r[0]); x.Before(date(r[1])); x = x.Add(fiveMin) {
				ts = append(ts, x, x.Add(17*time.Second+time.Millisecond))
			}
		}
		check := func(order string) {
			l := p.NewLocator()
			for _, x := range ts {
				if got, want := l.Locate(x), p.Locate(x); got != want {
					t.Fatalf("%s, %s: Locator.Locate(%s) = %+v, Pricer.Locate = %+v", zone, order, x.In(loc), got, want)
				}
			}
		}
		check("in order")
		rng := rand.New(rand.NewPCG(1, uint64(len(zone))))
		rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		check("shuffled")
	}
}
