package report

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

// A report holds what it stands on: a gap in all data with its dates; a
// week-like stretch where export rows are missing while import goes on (and
// import missing on the last day), with its dates, rather than counted as
// zero silently; a bill priced on part of its days (10 of 16); a payback
// beyond the lifetime. How the table and JSON say it is render's
// TestReportSaysWhatItStandsOn.
func TestReportSaysWhatItStandsOn(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Australia/Adelaide")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rows := reporttest.HouseholdRows(at("2024-03-01 00:00"), 10)
	// drop removes the readings of the series fields picks from [from, to).
	drop := func(from, to time.Time, fields func(r *reporttest.Row) []*float64) {
		for i := range rows {
			if r := &rows[i]; !r.Start.Before(from) && r.Start.Before(to) {
				for _, f := range fields(r) {
					*f = math.NaN()
				}
			}
		}
	}
	// No data at all on 4 March from 10:00 to 14:00: a gap.
	drop(at("2024-03-04 10:00"), at("2024-03-04 14:00"), func(r *reporttest.Row) []*float64 {
		return []*float64{&r.Generation, &r.Import, &r.Export}
	})
	// No export rows on 6 and 7 March, no import rows on 10 March.
	drop(at("2024-03-06 00:00"), at("2024-03-08 00:00"), func(r *reporttest.Row) []*float64 { return []*float64{&r.Export} })
	drop(at("2024-03-10 00:00"), at("2024-03-11 00:00"), func(r *reporttest.Row) []*float64 { return []*float64{&r.Import} })
	site := reporttest.AddSite(t, db, "home", "Australia/Adelaide")
	reporttest.Load(t, db, site, 30*time.Minute, rows)
	flat := reporttest.AddFlatTariff(t, db, "Flat", "1.00", "0.30", "0.05")
	reporttest.AddPeriods(t, db, site, flat, "2024-03-01", "2024-03-16", "")

	price := Price{Fixed: 100000 * models.Unit}
	opts := Options{Site: "home", Price: &price,
		Batteries: []battery.Config{{CapacityWh: 5000, Efficiency: 0.9, ChargePowerW: 2000, DischargePowerW: 2000}}}
	rep, err := Compute(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	wantGaps := []Gap{{From: at("2024-03-04 10:00"), To: at("2024-03-04 14:00")}}
	if len(rep.Gaps) != 1 || !rep.Gaps[0].From.Equal(wantGaps[0].From) || !rep.Gaps[0].To.Equal(wantGaps[0].To) {
		t.Errorf("gaps %v, want %v", rep.Gaps, wantGaps)
	}
	wantCh := []ChannelGap{
		{Channel: "export", From: at("2024-03-06 00:00"), To: at("2024-03-08 00:00")},
		{Channel: "import", From: at("2024-03-10 00:00"), To: at("2024-03-11 00:00")},
	}
	if len(rep.ChannelGaps) != len(wantCh) {
		t.Fatalf("channel gaps %v, want %v", rep.ChannelGaps, wantCh)
	}
	for i, g := range rep.ChannelGaps {
		if g.Channel != wantCh[i].Channel || !g.From.Equal(wantCh[i].From) || !g.To.Equal(wantCh[i].To) {
			t.Errorf("channel gap %d: %s %v to %v, want %s %v to %v", i, g.Channel, g.From, g.To, wantCh[i].Channel, wantCh[i].From, wantCh[i].To)
		}
	}
	// What the flagged stretches did to the figures: the export (import)
	// there counted as zero.
	var wantExport, wantImport float64
	for _, r := range rows {
		inGap := !r.Start.Before(wantGaps[0].From) && r.Start.Before(wantGaps[0].To)
		if !inGap && (r.Start.Before(wantCh[0].From) || !r.Start.Before(wantCh[0].To)) {
			wantExport += r.Export
		}
		if !inGap && r.Start.Before(wantCh[1].From) {
			wantImport += r.Import
		}
	}
	res := rep.Results[0]
	if math.Abs(res.Totals.BaselineExportWh-wantExport) > 1e-6 || math.Abs(res.Totals.BaselineImportWh-wantImport) > 1e-6 {
		t.Errorf("baseline export %v import %v Wh, want %v and %v", res.Totals.BaselineExportWh, res.Totals.BaselineImportWh, wantExport, wantImport)
	}
	if p := res.Periods[0]; p.Days != 10 || p.PeriodDays != 16 {
		t.Errorf("period priced on %d of %d days, want 10 of 16", p.Days, p.PeriodDays)
	}
	if res.PaysBackInLifetime || res.PaybackYears <= 10 || math.IsInf(res.PaybackYears, 0) {
		t.Errorf("payback %v years at 100000, within lifetime %v; want a finite payback beyond 10 years", res.PaybackYears, res.PaysBackInLifetime)
	}

	// A price the savings repay within the lifetime is not flagged.
	cheap := Price{Fixed: 10 * models.Unit}
	opts.Price = &cheap
	if rep, err = Compute(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	if !rep.Results[0].PaysBackInLifetime {
		t.Errorf("payback %v years flagged beyond the lifetime", rep.Results[0].PaybackYears)
	}
}

// Period rows are bills: each is rounded to the cent, and the total row is
// their sum, so the table adds up even where the exact total would round
// otherwise (1.004 + 1.004 = 2.008 → 2.01, but the bills are 1.00 + 1.00).
func TestPeriodRowsAreBills(t *testing.T) {
	t.Parallel()
	m := func(s string) models.Money { return mustMoney(t, s) }
	tr := &tariff.Tariff{Name: "Flat"}
	periods := []*periodState{
		{period: tariff.Period{Start: dateOf("2024-01-01"), End: dateOf("2024-02-01"), Tariff: tr}, done: true,
			baseline:  periodTotals{Days: 31, Costs: tariff.Costs{Usage: m("1.004")}},
			batteries: []periodTotals{{Days: 31, Costs: tariff.Costs{Usage: m("0.005")}}}},
		{period: tariff.Period{Start: dateOf("2024-02-01"), End: dateOf("2024-03-01"), Tariff: tr}, done: true,
			baseline:  periodTotals{Days: 29, Costs: tariff.Costs{Usage: m("1.004")}},
			batteries: []periodTotals{{Days: 29, Costs: tariff.Costs{Usage: m("0.005")}}}},
	}
	cfg := battery.Config{CapacityWh: 1000, Efficiency: 0.9}
	rep := &Report{Site: "s", TimeZone: "UTC", DaysPriced: 60, Currency: DefaultCurrency, Best: -1, LifetimeYears: 10,
		Data: &battery.Report{Intervals: 2, Nominal: time.Hour, First: dateOf("2024-01-01"), End: dateOf("2024-03-01")}}
	r := rep.result(0, cfg, battery.Totals{}, periods)
	if r.BaselineCost != m("2.00") || r.Cost != m("0.02") || r.Savings != m("1.98") {
		t.Errorf("totals %s, %s, %s; want the sums of the bills 2.00, 0.02, 1.98", r.BaselineCost, r.Cost, r.Savings)
	}
	if r.SavingsPerYear != perYear(m("1.98"), 60) {
		t.Errorf("savings per year %s, want %s from the bills", r.SavingsPerYear, perYear(m("1.98"), 60))
	}
	if p := r.Periods[0]; p.BaselineBill() != m("1.00") || p.Bill() != m("0.01") || p.Savings() != m("0.99") {
		t.Errorf("first bill %s, %s, %s; want 1.00, 0.01, 0.99", p.BaselineBill(), p.Bill(), p.Savings())
	}
}

// No billing period covering the data: the error gives the data's real
// range (all three days), not where reading stopped.
func TestNoCoverageStatesTheDataRange(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	site := reporttest.AddSite(t, db, "late", "UTC")
	var rows []reporttest.Row
	for i := range 72 {
		rows = append(rows, reporttest.Row{Start: time.Date(2024, 1, 1, i, 0, 0, 0, time.UTC), Import: 100, Export: 50})
	}
	reporttest.Load(t, db, site, time.Hour, rows)
	flat := reporttest.AddFlatTariff(t, db, "Flat", "1.00", "0.30", "0.05")
	reporttest.AddPeriods(t, db, site, flat, "2023-06-01", "2023-06-30", "")
	_, err := Compute(context.Background(), db, Options{Batteries: []battery.Config{{CapacityWh: 1000, Efficiency: 0.9}}})
	want := `no billing period of site "late" covers its data (2024-01-01 to 2024-01-03; billing periods cover 2023-06-01 to 2023-06-30)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
}

// Holes of each source of a channel combine: a channel is missing only
// where its meter intervals and its registers both are, and gaps in all
// data are left to the gap list.
func TestChannelGapsCombineSources(t *testing.T) {
	t.Parallel()
	h := func(n int) time.Time { return time.Date(2024, 5, 1, n, 0, 0, 0, time.UTC) }
	p := func(v time.Time) *time.Time { return &v }
	data := &battery.Report{Intervals: 24, Nominal: time.Hour, First: h(0), End: h(24)}
	rows := []channelRow{
		// Import meter intervals 00–06 and 12–20; registers 04–14.
		{Channel: "import", Start: h(0), End: h(1), Next: p(h(1))},
		{Channel: "import", Start: h(12), End: h(13), PrevEnd: p(h(6)), Next: p(h(13))},
		{Channel: "import", Start: h(19), End: h(20), PrevEnd: p(h(19))},
		{Channel: "import", Register: true, Start: h(4), End: h(14)},
		// Export meter intervals 02–24 only.
		{Channel: "export", Start: h(2), End: h(3), Next: p(h(3))},
		{Channel: "export", Start: h(23), End: h(24), PrevEnd: p(h(23))},
	}
	// No data at all from 21:00 to 22:00.
	gaps := []Gap{{From: h(21), To: h(22)}}
	got := channelGaps(rows, data, gaps)
	want := []ChannelGap{
		{Channel: "export", From: h(0), To: h(2)},
		{Channel: "import", From: h(20), To: h(21)},
		{Channel: "import", From: h(22), To: h(24)},
	}
	if len(got) != len(want) {
		t.Fatalf("channel gaps %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Channel != want[i].Channel || !got[i].From.Equal(want[i].From) || !got[i].To.Equal(want[i].To) {
			t.Errorf("gap %d: %s %v–%v, want %s %v–%v", i, got[i].Channel, got[i].From, got[i].To, want[i].Channel, want[i].From, want[i].To)
		}
	}
}

// Registers count as a channel's data from their first reading to their
// last: a site whose import comes from register readings and whose export
// from meter intervals has only the export's hole flagged.
func TestChannelGapsWithRegisters(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	site := reporttest.AddSite(t, db, "regs", "UTC")
	h := func(n int) time.Time {
		return time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	}
	for i := 0; i <= 48; i++ {
		if _, err := db.NewRaw("INSERT INTO import_cumulative (site_id, timestamp, energy) VALUES (?, ?, ?)",
			site, h(i), float64(i*400)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		// Export meter intervals, none from 10:00 to 16:00 on the first day.
		if i < 48 && (i < 10 || i >= 16) {
			if _, err := db.NewRaw("INSERT INTO meter_intervals (site_id, channel, direction, timestamp, duration, energy) VALUES (?, 'B1', 'export', ?, interval '1 hour', 50)",
				site, h(i)).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	flat := reporttest.AddFlatTariff(t, db, "Flat", "1.00", "0.30", "0.05")
	reporttest.AddPeriods(t, db, site, flat, "2024-05-01", "2024-05-31", "")
	rep, err := Compute(ctx, db, Options{Site: "regs", Batteries: []battery.Config{{CapacityWh: 1000, Efficiency: 0.9}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Gaps) != 0 || len(rep.ChannelGaps) != 1 {
		t.Fatalf("gaps %v, channel gaps %v; want none and the export hole", rep.Gaps, rep.ChannelGaps)
	}
	if g := rep.ChannelGaps[0]; g.Channel != "export" || !g.From.Equal(h(10)) || !g.To.Equal(h(16)) {
		t.Errorf("channel gap %s %v to %v, want export %v to %v", g.Channel, g.From, g.To, h(10), h(16))
	}
	if imp := rep.Results[0].Totals.BaselineImportWh; imp != 48*400 {
		t.Errorf("baseline import %v Wh, want %v from the registers", imp, 48*400)
	}
}
