package tariff

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

func TestParseHolidays(t *testing.T) {
	t.Parallel()
	rows, err := ParseHolidays(strings.NewReader("date,name,region\n# comment\n2025-01-01,New Year's Day\n\n2025-03-10, Labour Day ,VIC\n2025-03-10,Adelaide Cup,SA\n2025-12-26,Boxing Day,Australia/Perth\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Date.Format(time.DateOnly)+"|"+r.Name+"|"+r.Region)
	}
	want := "2025-01-01|New Year's Day||2025-03-10|Labour Day|VIC|2025-03-10|Adelaide Cup|SA|2025-12-26|Boxing Day|Australia/Perth"
	if strings.Join(got, "|") != want {
		t.Errorf("rows %q", got)
	}
	for _, tt := range []struct{ in, want string }{
		{"2025-01-01,A\n2025-02-30,B\n", `line 2: "2025-02-30" is not a date (YYYY-MM-DD)`},
		{"2025-01-01\n", "line 1: want date,name[,region], got 1 fields"},
		{"2025-01-01,A,NSW,x\n", "line 1: want date,name[,region], got 4 fields"},
		{"2025-01-01,\n", "line 1: the holiday has no name"},
		{"2025-01-01,A,Narnia\n", `line 1: region "Narnia" is not a state (ACT, NSW, NT, QLD, SA, TAS, VIC, WA) or a time zone`},
		{"2025-01-01,A,NSW\n2025-01-02,B\n2025-01-01,C,NSW\n", "line 3: 2025-01-01 in NSW is already on line 1"},
		{"date,name\n", "no holidays in the file"},
		{"2025-01-01,\"A\n", `line 1: extraneous or missing " in quoted-field`},
	} {
		if _, err := ParseHolidays(strings.NewReader(tt.in)); err == nil || err.Error() != tt.want {
			t.Errorf("ParseHolidays(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestHolidayRegions(t *testing.T) {
	t.Parallel()
	if got := strings.Join(HolidayRegions("Australia/Melbourne"), ","); got != ",VIC,Australia/Melbourne" {
		t.Errorf("Melbourne observes %q", got)
	}
	if got := strings.Join(HolidayRegions("Asia/Kathmandu"), ","); got != ",Asia/Kathmandu" {
		t.Errorf("Kathmandu observes %q", got)
	}
}

// TestImportHolidaysAndPrice imports a calendar twice (the second time
// changes nothing), loads a site's holidays by its state, and prices a
// holiday at the plan's holiday rate through LoadPricer; without the
// calendar, the pricer says so once.
func TestImportHolidaysAndPrice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	file := "date,name,region\n2024-01-01,New Year's Day\n2024-01-26,Australia Day\n2024-03-11,Labour Day,VIC\n2024-03-11,Adelaide Cup Day,SA\n"
	rows, err := ParseHolidays(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []HolidayImport{{Added: 4}, {Unchanged: 4}} {
		res, err := ImportHolidays(ctx, db, rows)
		if err != nil || res != want {
			t.Errorf("import %d: %+v, %v; want %+v", i+1, res, err, want)
		}
	}
	rows[0].Name = "New Year"
	if res, err := ImportHolidays(ctx, db, rows); err != nil || res != (HolidayImport{Renamed: 1, Unchanged: 3}) {
		t.Errorf("renaming import: %+v, %v", res, err)
	}
	if n, _ := db.NewSelect().Model((*models.PublicHoliday)(nil)).Count(ctx); n != 4 {
		t.Errorf("%d holidays stored, want 4", n)
	}
	h, err := LoadHolidays(ctx, db, "Australia/Adelaide")
	if err != nil || h.Len() != 3 || !h.onDay(dayNumber(date("2024-03-11"))) || !h.Covers(2024) || h.Covers(2025) {
		t.Errorf("Adelaide's holidays: %+v, %v", h, err)
	}
	if h, _ := LoadHolidays(ctx, db, "Australia/Brisbane"); h.Len() != 2 {
		t.Errorf("Brisbane observes %d holidays, want the 2 national ones", h.Len())
	}

	// Weekdays 0.40 except public holidays, 0.10 on weekends and holidays.
	holidayRule := func(days []int16, r string) models.TariffWindow {
		return models.TariffWindow{Weekdays: days, PublicHolidays: &r}
	}
	only := models.HolidaysOnly
	tr := &Tariff{Name: "Holiday TOU", Retailer: "R", Components: []Component{
		usage(t, "Weekday", "0.40", holidayRule(weekdays, models.HolidaysExclude)),
		usage(t, "Weekend", "0.10", holidayRule([]int16{6, 7}, models.HolidaysExclude)),
		usage(t, "Holiday", "0.10", models.TariffWindow{PublicHolidays: &only}),
	}}
	if err := tr.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := SaveTariff(ctx, db, Components, tr); err != nil {
		t.Fatal(err)
	}
	site := &models.Site{Name: "home", TimeZone: "Australia/Adelaide"}
	if _, err := db.NewInsert().Model(site).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	ranges, _ := SplitPeriods(date("2024-03-01"), date("2025-03-31"), "")
	if err := AddBillingPeriods(ctx, db, site.ID, site.Name, tr.ID, ranges); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPricer(ctx, db, Components, site)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := site.Location()
	a := p.NewAccumulator()
	// Monday 11 March 2024 is Adelaide Cup Day; Tuesday is not.
	for _, day := range []string{"2024-03-11", "2024-03-12"} {
		start := time.Date(date(day).Year(), date(day).Month(), date(day).Day(), 12, 0, 0, 0, loc)
		a.AddAt(start, 1000, 0)
	}
	r := mustResult(t, a)
	if d := r.Periods[0].Days; d[0].Costs.Usage.String() != "0.10" || d[1].Costs.Usage.String() != "0.40" {
		t.Errorf("holiday priced %s, the next day %s; want 0.10 and 0.40", d[0].Costs.Usage, d[1].Costs.Usage)
	}
	want := `tariff "Holiday TOU" prices public holidays, but no public holidays are loaded for 2025: they were priced as ordinary days (load them with ` + "`solarview holidays import FILE`)"
	if got := p.HolidayWarning(); got != want {
		t.Errorf("warning %q\nwant %q", got, want)
	}
	if _, err := db.NewDelete().Model((*models.PublicHoliday)(nil)).Where("true").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	p, _ = LoadPricer(ctx, db, Components, site)
	if got := p.HolidayWarning(); !strings.Contains(got, "loaded for 2024, 2025:") {
		t.Errorf("with no holidays at all: %q", got)
	}
	if (&Tariff{Components: touTariff(t)}).UsesHolidays() {
		t.Errorf("a tariff without holiday windows uses holidays")
	}
}
