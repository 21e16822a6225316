package tariff

import (
	"context"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

// readCDRFile reads a CDR document of testdata/cdr as published.
func readCDRFile(t *testing.T, name string, assume ...string) *Plan {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cdr", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ReadPlan(data, PlanOptions{Assume: assume})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if p.Format != FormatCDR {
		t.Fatalf("%s read as %q", name, p.Format)
	}
	return p
}

func TestCDRPlansComponentsAndUnpriced(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		assume   []string
		name     string
		comps    []string
		unpriced []string
		applied  []string
	}{
		{
			file: "single_rate_stepped.json", name: "Sparky Saver Stepped / Sparky Energy",
			comps: []string{
				// 1.0234 and the steps plus 10% GST; feed-in as published.
				`supply "All year": 1.12574 per day`,
				`usage "Stepped usage": 0.2915 for the first 10 kWh, 0.3432 above per kWh imported, per day, all times`,
				`feed-in "Sparky solar credit": 0.06 per kWh exported, all times`,
				`discount "Always 4% off usage": 4% off usage charges`,
				// The controlled load's 0.0412 and 0.1650, plus GST.
				`supply "Controlled load 1": 0.04532 per day for controlled load, on days the site meters it`,
				`usage "Off-peak hot water": 0.1815 per kWh of controlled load, all times`,
			},
			unpriced: []string{
				"metering charge: Special meter read, 11.50, P1D",
				`premium feed-in tariff "Solar Bonus Scheme" (government-paid; a closed scheme: --assume premium-feed-in prices it instead of the retailer's)`,
				"fee: LATE_PAYMENT, FIXED, 12.00, Charged when a bill is paid late.",
				"fee: PAPER_BILL, FIXED, 1.75",
				"incentive: Welcome credit, ACCOUNT_CREDIT, A 50 dollar credit on the first bill.",
				"eligibility: EXISTING_SOLAR, For homes with solar panels.",
			},
		},
		{
			file: "single_rate_stepped.json", assume: []string{AssumePremiumFeedIn}, name: "Sparky Saver Stepped / Sparky Energy",
			comps: []string{
				`supply "All year": 1.12574 per day`,
				`usage "Stepped usage": 0.2915 for the first 10 kWh, 0.3432 above per kWh imported, per day, all times`,
				`feed-in "Solar Bonus Scheme": 0.44 per kWh exported, all times`,
				`discount "Always 4% off usage": 4% off usage charges`,
				`supply "Controlled load 1": 0.04532 per day for controlled load, on days the site meters it`,
				`usage "Off-peak hot water": 0.1815 per kWh of controlled load, all times`,
			},
			unpriced: []string{
				"metering charge: Special meter read, 11.50, P1D",
				`feed-in tariff "Sparky solar credit" (replaced by the premium scheme assumed)`,
				"fee: LATE_PAYMENT, FIXED, 12.00, Charged when a bill is paid late.",
				"fee: PAPER_BILL, FIXED, 1.75",
				"incentive: Welcome credit, ACCOUNT_CREDIT, A 50 dollar credit on the first bill.",
				"eligibility: EXISTING_SOLAR, For homes with solar panels.",
			},
			applied: []string{AssumePremiumFeedIn},
		},
		{
			file: "time_of_use.json", assume: []string{AssumePayOnTime}, name: "Bright Time of Use / Bright Power",
			comps: []string{
				`supply "Summer": 1.21 per day, 11-01 to 03-31`,
				`usage "Peak": 0.5302 per kWh imported, Mon–Fri except public holidays 15:00–21:00, 11-01 to 03-31 (NEM time)`,
				`usage "Shoulder": 0.3311 per kWh imported, Mon–Fri except public holidays 07:00–15:00, 11-01 to 03-31 (NEM time)`,
				`usage "Shoulder": 0.3311 per kWh imported, Mon–Fri except public holidays 21:00–22:00, 11-01 to 03-31 (NEM time)`,
				`usage "Off peak": 0.2013 per kWh imported, Mon–Fri except public holidays 22:00–07:00, 11-01 to 03-31 (NEM time)`,
				`usage "Off peak": 0.2013 per kWh imported, Sat, Sun and public holidays, 11-01 to 03-31 (NEM time)`,
				`supply "Rest of the year": 1.155 per day, 04-01 to 10-31`,
				`usage "Peak": 0.4389 per kWh imported, Mon–Fri except public holidays 17:00–21:00, 04-01 to 10-31 (NEM time)`,
				`usage "Off peak": 0.2354 per kWh imported, Mon–Fri except public holidays 21:00–17:00, 04-01 to 10-31 (NEM time)`,
				`usage "Off peak": 0.2354 per kWh imported, Sat, Sun and public holidays, 04-01 to 10-31 (NEM time)`,
				`feed-in "Evening solar": 0.12 per kWh exported, 16:00–21:00 (NEM time)`,
				`feed-in "Daytime solar": 0.03 per kWh exported, 21:00–16:00 (NEM time)`,
				`discount "Pay on time discount": 7% off the bill (supply, usage and demand charges), assuming pay-on-time`,
			},
			unpriced: []string{
				`discount "Direct debit discount" (conditional on direct debit: --assume direct-debit applies it)`,
				"fee: DD_DISHONOUR, FIXED, 15.00",
			},
			applied: []string{AssumePayOnTime},
		},
		{
			file: "time_of_use.json", assume: []string{AssumePayOnTime, AssumeDirectDebit}, name: "Bright Time of Use / Bright Power",
			unpriced: []string{
				`discount "Direct debit discount" (a fixed amount of 2.00: the plan does not say per what period, so it is not priced)`,
				"fee: DD_DISHONOUR, FIXED, 15.00",
			},
			applied: []string{AssumePayOnTime},
		},
		{
			file: "time_of_use.json", name: "Bright Time of Use / Bright Power",
			unpriced: []string{
				`discount "Pay on time discount" (conditional on pay on time: --assume pay-on-time applies it)`,
				`discount "Direct debit discount" (conditional on direct debit: --assume direct-debit applies it)`,
				"fee: DD_DISHONOUR, FIXED, 15.00",
			},
		},
		{
			file: "demand.json", name: "Volt Demand Saver / Volt Retail",
			comps: []string{
				`supply "Energy": 0.968 per day`,
				`usage "Anytime": 0.242 for the first 300 kWh, 0.275 above per kWh imported, per billing period (volumes per P1M, pro-rated), all times`,
				`demand "Summer peak demand": 0.3465 per kW per day of the billing period's peak half-hour above 0.5 kW, Mon–Fri 16:00–21:00, 11-01 to 03-31`,
				// 6.0833 a month is 0.2 a day, plus GST.
				`demand "Winter peak demand": 0.219998794 per kW per day of the day's peak half-hour, Mon–Fri 17:00–20:00, 04-01 to 10-31`,
				`feed-in "Solar sponge": 0.015 per kWh exported, 10:00–15:00`,
				`feed-in "Other times": 0.055 per kWh exported, 15:00–24:00`,
				`feed-in "Other times": 0.055 per kWh exported, 00:00–10:00`,
			},
			unpriced: []string{"incentive: Smart thermostat, GIFT, A free thermostat on sign-up."},
		},
	}
	for _, tt := range tests {
		p := readCDRFile(t, tt.file, tt.assume...)
		if got := p.Name + " / " + p.Retailer; got != tt.name {
			t.Errorf("%s: named %q, want %q", tt.file, got, tt.name)
		}
		if p.GSTPercent != 10*models.Unit {
			t.Errorf("%s: GST %s%%, want 10%%", tt.file, p.GSTPercent)
		}
		if err := (&Tariff{Name: tt.file, Components: p.Components}).Validate(); err != nil {
			t.Errorf("%s: %v", tt.file, err)
		}
		var comps []string
		for _, c := range p.Components {
			comps = append(comps, displayName(c.Category().String(), c.ComponentBase().Label)+": "+c.Describe())
		}
		if tt.comps != nil && strings.Join(comps, "\n") != strings.Join(tt.comps, "\n") {
			t.Errorf("%s %v components:\n%s\nwant:\n%s", tt.file, tt.assume, strings.Join(comps, "\n"), strings.Join(tt.comps, "\n"))
		}
		if strings.Join(p.Unpriced, "\n") != strings.Join(tt.unpriced, "\n") {
			t.Errorf("%s %v unpriced:\n%s\nwant:\n%s", tt.file, tt.assume, strings.Join(p.Unpriced, "\n"), strings.Join(tt.unpriced, "\n"))
		}
		if strings.Join(p.Applied, ",") != strings.Join(tt.applied, ",") {
			t.Errorf("%s: applied %v, want %v", tt.file, p.Applied, tt.applied)
		}
	}
}

// yearOfData is a Sydney household's 2024 in 15-minute intervals, whole Wh
// (so an oracle can sum them exactly): evening import peaks, daytime
// export.
type interval struct {
	t        time.Time
	imp, exp int64
}

func yearOfData(loc *time.Location) []interval {
	rng := rand.New(rand.NewPCG(14, 2024))
	var out []interval
	for ts := time.Date(2024, 1, 1, 0, 0, 0, 0, loc); ts.Before(time.Date(2025, 1, 1, 0, 0, 0, 0, loc)); ts = ts.Add(15 * time.Minute) {
		h := ts.In(loc).Hour()
		imp := rng.Int64N(120)
		if h >= 16 && h < 22 {
			imp += rng.Int64N(700)
		}
		var exp int64
		if h >= 9 && h < 16 {
			exp = rng.Int64N(900)
			imp /= 4
		}
		out = append(out, interval{ts, imp, exp})
	}
	return out
}

// exGST turns a CDR price (exclusive of GST) into the bill's price with 10%
// GST, exactly.
func exGST(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r.Mul(r, big.NewRat(11, 10))
}

func ratOf(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func kwh(wh int64) *big.Rat { return big.NewRat(wh, 1000) }

// oracleBills prices the year month by month, the way each document's
// bill reads, one interval at a time, with exact rationals: the
// independent computation the pricer must match to the cent. It knows the
// three documents by heart and shares no code with the pricer.
func oracleBills(plan string, loc *time.Location, data []interval, holidays map[string]bool) map[time.Month]*big.Rat {
	bills := map[time.Month]*big.Rat{}
	add := func(m time.Month, r *big.Rat) {
		if bills[m] == nil {
			bills[m] = new(big.Rat)
		}
		bills[m].Add(bills[m], r)
	}
	mul := func(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }
	nem := time.FixedZone("UTC+10", 10*3600)
	summer := func(m time.Month) bool { return m >= time.November || m <= time.March }
	weekend := func(d time.Weekday) bool { return d == time.Saturday || d == time.Sunday }

	switch plan {
	case "single_rate_stepped.json":
		// Per local day: the first 10 kWh at 0.2650, the rest at 0.3120,
		// 4% off; supply 1.0234; feed-in 0.06 without GST.
		dayImp, dayExp := map[string]int64{}, map[string]int64{}
		var days []string
		for _, iv := range data {
			d := iv.t.In(loc).Format(time.DateOnly)
			if _, ok := dayImp[d]; !ok {
				days = append(days, d)
			}
			dayImp[d] += iv.imp
			dayExp[d] += iv.exp
		}
		for _, d := range days {
			m, _ := time.Parse(time.DateOnly, d)
			q := kwh(dayImp[d])
			first, rest := q, new(big.Rat)
			if q.Cmp(big.NewRat(10, 1)) > 0 {
				first, rest = big.NewRat(10, 1), new(big.Rat).Sub(q, big.NewRat(10, 1))
			}
			use := new(big.Rat).Add(mul(first, exGST("0.2650")), mul(rest, exGST("0.3120")))
			use.Mul(use, big.NewRat(96, 100))
			add(m.Month(), use)
			add(m.Month(), exGST("1.0234"))
			add(m.Month(), new(big.Rat).Neg(mul(kwh(dayExp[d]), ratOf("0.06"))))
		}
	case "time_of_use.json":
		// Windows on NEM time; weekends and public holidays off peak;
		// supply by local day and season; 7% off supply and usage.
		seen := map[string]bool{}
		for _, iv := range data {
			lt, nt := iv.t.In(loc), iv.t.In(nem)
			month := lt.Month()
			h := nt.Hour()
			off := weekend(nt.Weekday()) || holidays[nt.Format(time.DateOnly)]
			var price string
			switch {
			case summer(nt.Month()) && off:
				price = "0.1830"
			case summer(nt.Month()) && h >= 15 && h < 21:
				price = "0.4820"
			case summer(nt.Month()) && (h >= 7 && h < 15 || h == 21):
				price = "0.3010"
			case summer(nt.Month()):
				price = "0.1830"
			case !off && h >= 17 && h < 21:
				price = "0.3990"
			default:
				price = "0.2140"
			}
			charge := mul(kwh(iv.imp), exGST(price))
			if d := lt.Format(time.DateOnly); !seen[d] {
				seen[d] = true
				if summer(month) {
					charge.Add(charge, exGST("1.1000"))
				} else {
					charge.Add(charge, exGST("1.0500"))
				}
			}
			add(month, mul(charge, big.NewRat(93, 100)))
			fit := "0.03"
			if h >= 16 && h < 21 {
				fit = "0.12"
			}
			add(month, new(big.Rat).Neg(mul(kwh(iv.exp), ratOf(fit))))
		}
	case "demand.json":
		// Monthly bills: 300 kWh a month (365/12 days) at 0.22, pro-rated
		// to the bill's days, the rest at 0.25; supply 0.88 a day;
		// summer demand: the month's highest weekday 16:00–21:00
		// half-hour above 0.5 kW, 0.315 per kW on every day; winter: each
		// weekday's highest 17:00–20:00 half-hour at 6.0833 per kW-month
		// (12/365 of it a day). Feed-in 0.015 from 10:00 to 15:00, else
		// 0.055.
		monthImp := map[time.Month]int64{}
		monthDays := map[time.Month]map[string]bool{}
		monthPeak := map[time.Month]int64{} // Wh in a half-hour
		dayPeak := map[string]int64{}
		halfHour := map[string]int64{}
		for _, iv := range data {
			lt := iv.t.In(loc)
			m := lt.Month()
			d := lt.Format(time.DateOnly)
			monthImp[m] += iv.imp
			if monthDays[m] == nil {
				monthDays[m] = map[string]bool{}
			}
			monthDays[m][d] = true
			fit := "0.055"
			if lt.Hour() >= 10 && lt.Hour() < 15 {
				fit = "0.015"
			}
			add(m, new(big.Rat).Neg(mul(kwh(iv.exp), ratOf(fit))))
			if weekend(lt.Weekday()) {
				continue
			}
			hh := lt.Format("2006-01-02 15") + map[bool]string{true: ":30", false: ":00"}[lt.Minute() >= 30]
			switch h := lt.Hour(); {
			case summer(m) && h >= 16 && h < 21:
				halfHour[hh] += iv.imp
				monthPeak[m] = max(monthPeak[m], halfHour[hh])
			case !summer(m) && h >= 17 && h < 20:
				halfHour[hh] += iv.imp
				dayPeak[d] = max(dayPeak[d], halfHour[hh])
			}
		}
		for m, q := range monthImp {
			days := int64(len(monthDays[m]))
			add(m, mul(big.NewRat(days, 1), exGST("0.8800")))
			limit := new(big.Rat).Mul(big.NewRat(300*days*12, 365), big.NewRat(1, 1))
			all := kwh(q)
			if all.Cmp(limit) <= 0 {
				add(m, mul(all, exGST("0.2200")))
			} else {
				add(m, mul(limit, exGST("0.2200")))
				add(m, mul(new(big.Rat).Sub(all, limit), exGST("0.2500")))
			}
			if summer(m) {
				kw := new(big.Rat).Sub(big.NewRat(monthPeak[m], 500), big.NewRat(1, 2))
				if kw.Sign() > 0 {
					add(m, mul(mul(kw, exGST("0.3150")), big.NewRat(days, 1)))
				}
			}
		}
		for d, wh := range dayPeak {
			m, _ := time.Parse(time.DateOnly, d)
			perDay := mul(exGST("6.0833"), big.NewRat(12, 365))
			add(m.Month(), mul(big.NewRat(wh, 500), perDay))
		}
	}
	return bills
}

// TestCDRYearOfBillsMatchesOracle adds each document unchanged, stores and
// loads it through PostgreSQL, prices a year of 15-minute data under
// monthly bills and compares every bill with the oracle to the cent.
func TestCDRYearOfBillsMatchesOracle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	loc := sydney(t)
	data := yearOfData(loc)
	holidayDates := []string{"2024-01-01", "2024-01-26", "2024-03-29", "2024-04-01", "2024-04-25", "2024-06-10",
		"2024-08-05", "2024-10-07", "2024-12-25", "2024-12-26"}
	holidays := map[string]bool{}
	var hd []time.Time
	for _, d := range holidayDates {
		holidays[d] = true
		hd = append(hd, date(d))
	}
	ranges, err := SplitPeriods(date("2024-01-01"), date("2024-12-31"), EveryMonth)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file   string
		assume []string
	}{
		{"single_rate_stepped.json", nil},
		{"time_of_use.json", []string{AssumePayOnTime}},
		{"demand.json", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			p := readCDRFile(t, tc.file, tc.assume...)
			tr := &Tariff{Name: p.Name, Retailer: p.Retailer, Components: p.Components}
			if err := SaveTariff(ctx, db, Components, tr); err != nil {
				t.Fatal(err)
			}
			loaded, err := LoadTariff(ctx, db, Components, p.Name)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := describeAll(loaded.Components), describeAll(p.Components); strings.Join(g, "|") != strings.Join(w, "|") {
				t.Fatalf("round trip through the database:\n got %q\nwant %q", g, w)
			}
			var periods []Period
			for i, r := range ranges {
				periods = append(periods, Period{ID: int64(i + 1), Start: r.Start, End: r.End, Tariff: loaded, Holidays: NewHolidays(hd, nil)})
			}
			pr, err := NewPricer(loc, periods)
			if err != nil {
				t.Fatal(err)
			}
			acc := pr.NewAccumulator()
			for _, iv := range data {
				acc.AddAt(iv.t, float64(iv.imp), float64(iv.exp))
			}
			res := mustResult(t, acc)
			oracle := oracleBills(tc.file, loc, data, holidays)
			if len(res.Periods) != 12 {
				t.Fatalf("%d bills, want 12", len(res.Periods))
			}
			year := new(big.Rat)
			for _, pc := range res.Periods {
				want := oracle[pc.Period.Start.Month()]
				year.Add(year, want)
				got := pc.Costs.Total().FormatCents()
				if got != want.FloatString(2) && !nearHalfCent(want) {
					t.Errorf("bill %s: %s, oracle %s", FormatRange(pc.Period.Start, pc.Period.End), got, want.FloatString(6))
				}
			}
			if got := res.Total().Total().FormatCents(); got != year.FloatString(2) {
				t.Errorf("year: %s, oracle %s", got, year.FloatString(6))
			}
			t.Logf("%s: a year of bills %s", tc.file, year.FloatString(2))
		})
	}
}

func TestCDRPlanErrors(t *testing.T) {
	t.Parallel()
	period := func(body string) string {
		return `{"data": {"planId": "P", "fuelType": "ELECTRICITY", "electricityContract": {"tariffPeriod": [{"startDate": "01-01", "endDate": "12-31", ` + body + `}]}}}`
	}
	tou := func(window string) string {
		return period(`"rateBlockUType": "timeOfUseRates", "timeOfUseRates": [{"displayName": "Any", "rates": [{"unitPrice": "0.3"}], "timeOfUse": [` + window + `]}]`)
	}
	tests := []struct{ doc, want string }{
		{`{"planId": "G", "fuelType": "GAS", "gasContract": {}}`, `$.fuelType: a gas plan: solarview prices electricity`},
		{`{"data": {"planId": "P"}}`, `$.data: electricityContract is missing`},
		{`{"data": {"planId": "P", "electricityContract": {"pricingModel": "FLEXIBLE", "tariffPeriod": []}}}`, `$.data.electricityContract.pricingModel: "FLEXIBLE": prices that vary`},
		{`{"data": {"planId": "P", "electricityContract": {"timeZone": "UTC", "tariffPeriod": []}}}`, `$.data.electricityContract.timeZone: "UTC" is not LOCAL or AEST`},
		{period(`"rateBlockUType": "flatRate"`), `$.data.electricityContract.tariffPeriod[0].rateBlockUType: "flatRate" is not singleRate, timeOfUseRates or demandCharges`},
		{period(`"dailySupplyCharge": "1.1O", "rateBlockUType": "demandCharges", "demandCharges": []`), `$.data.electricityContract.tariffPeriod[0].dailySupplyCharge: "1.1O" is not an amount`},
		{period(`"rateBlockUType": "singleRate", "singleRate": {"rates": [{"unitPrice": "0.3", "measureUnit": "KVARH"}]}`), `tariffPeriod[0].singleRate.rates[0].measureUnit: "KVARH": only rates per KWH are priced`},
		{tou(`{"days": ["MON", "FUNDAY"], "startTime": "00:00", "endTime": "23:59"}`), `tariffPeriod[0].timeOfUseRates[0].timeOfUse[0].days[1]: "FUNDAY" is not a day`},
		{tou(`{"days": ["MON"], "startTime": "14:00+10:00", "endTime": "23:59"}`), `timeOfUse[0].startTime: "14:00+10:00" is not a time of day (HH:MM, without a UTC offset)`},
		{tou(`{"days": ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], "startTime": "00:00", "endTime": "12:00"}`), ``},
		// Optional fields may be null, as v3 documents write them.
		{`{"data": {"planId": "P", "displayName": null, "electricityContract": {"timeZone": null, "discounts": null, "fees": null, "controlledLoad": null,
		  "solarFeedInTariff": null, "tariffPeriod": [{"startDate": "01-01", "endDate": "12-31", "dailySupplyCharge": null,
		  "rateBlockUType": "singleRate", "singleRate": {"displayName": "A", "period": null, "rates": [{"unitPrice": "0.3"}]}, "demandCharges": null}]}}}`, ``},
		{period(`"dailySupplyCharges": "1", "dailySupplyCharge": "1", "rateBlockUType": "demandCharges", "demandCharges": []`), `tariffPeriod[0].dailySupplyCharge: given with dailySupplyCharges`},
		{period(`"rateBlockUType": "demandCharges", "demandCharges": [{"amount": "0.3", "chargePeriod": "WEEK", "startTime": "16:00", "endTime": "20:59"}]`), `demandCharges[0].chargePeriod: "WEEK" is not DAY, MONTH or TARIFF_PERIOD`},
		{`{"data": {"planId": "P", "electricityContract": {"tariffPeriod": [{"startDate": "01-01", "endDate": "12-31", "rateBlockUType": "singleRate", "singleRate": {"rates": [{"unitPrice": "0.3"}]}}],
		  "solarFeedInTariff": [{"displayName": "S", "scheme": "OTHER", "tariffUType": "singleTariff", "singleTariff": {"rates": [{"unitPrice": "0.1", "volume": 5}, {"unitPrice": "0.05"}]}}]}}}`,
			`$.data.electricityContract.solarFeedInTariff[0].singleTariff.rates: 2 feed-in rates: stepped feed-in is not supported`},
	}
	for _, tt := range tests {
		_, err := ReadPlan([]byte(tt.doc), PlanOptions{})
		if tt.want == "" {
			// A plan that reads but leaves half the day unpriced is
			// refused by the tariff check, not the reader.
			if err != nil {
				t.Errorf("ReadPlan(%s): %v", tt.doc, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadPlan(%s)\n got: %v\nwant: %s", tt.doc, err, tt.want)
		}
	}
}

// A demand charge per kW per season (chargePeriod TARIFF_PERIOD) is spread
// over the season's days, and maxDemand caps the demand charged.
func TestCDRDemandPerSeasonAndTiers(t *testing.T) {
	t.Parallel()
	doc := `{"planId": "D", "electricityContract": {"timeZone": "LOCAL", "tariffPeriod": [
		{"startDate": "01-01", "endDate": "12-31", "rateBlockUType": "singleRate", "singleRate": {"displayName": "A", "rates": [{"unitPrice": "0.2"}]}},
		{"startDate": "11-01", "endDate": "03-31", "rateBlockUType": "demandCharges", "demandCharges": [
			{"displayName": "Summer", "amount": "15.10", "chargePeriod": "TARIFF_PERIOD", "measurementPeriod": "DAY",
			 "startTime": "17:00", "endTime": "19:59", "minDemand": "1", "maxDemand": "3"}]}]}}`
	p, err := ReadPlan([]byte(doc), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Components[1].(*DemandCharge)
	// 15.10 over the 151 days of 1 November to 31 March is 0.10 a day;
	// 0.11 with GST.
	if d.Rate.String() != "0.11" || d.MeasuredOver != models.DemandOverDay || d.MinKW != 1 || *d.MaxKW != 3 {
		t.Fatalf("demand charge %+v (max %v)", d.TariffDemandCharge, *d.MaxKW)
	}
	for _, tt := range []struct {
		peak float64
		want string
	}{{0.5, "0.00"}, {2.5, "0.165"}, {7, "0.22"}} {
		if got := d.DayCost(Measure{DayPeakKW: tt.peak, InSeason: true}).String(); got != tt.want {
			t.Errorf("peak %v kW costs %s, want %s", tt.peak, got, tt.want)
		}
	}
	if got := d.DayCost(Measure{DayPeakKW: 7}); got != 0 {
		t.Errorf("charged %s outside its season", got)
	}
}

// In solarview's own format, PUBLIC_HOLIDAYS works as in CDR plans: once a
// usage window names it, weekday windows that do not leave holidays out.
func TestOwnFormatPublicHolidays(t *testing.T) {
	t.Parallel()
	p, err := ReadPlan([]byte(`{"timeOfUseRates": [
		{"displayName": "Peak", "unitPrice": 0.5, "days": ["MON", "TUE", "WED", "THU", "FRI"]},
		{"displayName": "Off-peak", "unitPrice": 0.2, "days": ["SAT", "SUN", "PUBLIC_HOLIDAYS"]}],
		"solarFeedInTariff": [{"unitPrice": 0.05, "days": ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]}]}`), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Components {
		got = append(got, c.Describe())
	}
	want := []string{
		"0.50 per kWh imported, Mon–Fri except public holidays",
		"0.20 per kWh imported, Sat, Sun and public holidays",
		"0.05 per kWh exported, all times", // feed-in names no holidays: they are ordinary days
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("components %q\nwant %q", got, want)
	}
	if err := (&Tariff{Name: "h", Components: p.Components}).Validate(); err != nil {
		t.Error(err)
	}
}
