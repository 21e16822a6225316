package models

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
)

// seedEnergy loads two sites: "regs" (Sydney) logs cumulative registers and
// generation, with an import register reset; "meter" (UTC) has NEM12-style
// intervals on two import channels and one export channel, plus import
// registers that overlap them in part.
func seedEnergy(t *testing.T, db *bun.DB) {
	t.Helper()
	_, err := db.DB.ExecContext(context.Background(), `
INSERT INTO sites (id, name, timezone) VALUES (1, 'regs', 'Australia/Sydney'), (2, 'meter', 'UTC');
INSERT INTO import_cumulative VALUES
  (1, '2026-01-01 00:00+11', 100), (1, '2026-01-01 00:30+11', 150),
  (1, '2026-01-01 01:00+11', 20),  (1, '2026-01-01 01:30+11', 50);
INSERT INTO export_cumulative VALUES
  (1, '2026-01-01 00:00+11', 10), (1, '2026-01-01 00:30+11', 10),
  (1, '2026-01-01 01:00+11', 30), (1, '2026-01-01 01:30+11', 30);
INSERT INTO generation VALUES (1, '2026-01-01 00:00+11', 5), (1, '2026-01-01 01:00+11', 25);
INSERT INTO meter_intervals VALUES
  (2, 'E1', 'import', '2026-01-01 00:00Z', '30 min', 10, 'A'),
  (2, 'E2', 'import', '2026-01-01 00:00Z', '30 min', 3, 'A'),
  (2, 'E1', 'import', '2026-01-01 00:30Z', '30 min', 7, 'A'),
  (2, 'B1', 'export', '2026-01-01 00:30Z', '30 min', 2, 'A');
INSERT INTO import_cumulative VALUES
  (2, '2026-01-01 00:00Z', 0), (2, '2026-01-01 00:30Z', 99),
  (2, '2026-01-01 01:00Z', 199), (2, '2026-01-01 01:30Z', 299);
`)
	if err != nil {
		t.Fatal(err)
	}
}

// fmtRow formats a view row for comparison: site, time and energies, NULL
// for nil.
func fmtRow(site int64, ts string, vals ...*float64) string {
	parts := []string{strconv.FormatInt(site, 10), ts}
	for _, v := range vals {
		if v == nil {
			parts = append(parts, "NULL")
		} else {
			parts = append(parts, strconv.FormatFloat(*v, 'g', -1, 64))
		}
	}
	return strings.Join(parts, " ")
}

func assertRows(t *testing.T, view string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot\n  %s\nwant\n  %s", view, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestEnergyViews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	seedEnergy(t, db)

	utc := func(tm time.Time) string { return tm.UTC().Format("2006-01-02 15:04") }

	var imports []ImportEnergy
	if err := db.NewSelect().Model(&imports).Order("site_id", "timestamp").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range imports {
		got = append(got, fmtRow(r.SiteID, utc(r.Timestamp), r.Energy))
	}
	want := []string{
		// Registers: each interval starts at the earlier reading; the
		// register going backwards is a reset with unknown energy.
		"1 2025-12-31 13:00 50", "1 2025-12-31 13:30 NULL", "1 2025-12-31 14:00 30",
		// Meter intervals summed over channels; register intervals that
		// overlap them are left out, the one that does not is kept.
		"2 2026-01-01 00:00 13", "2 2026-01-01 00:30 7", "2 2026-01-01 01:00 100",
	}
	assertRows(t, "import", got, want)

	var exports []ExportEnergy
	if err := db.NewSelect().Model(&exports).Order("site_id", "timestamp").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, r := range exports {
		got = append(got, fmtRow(r.SiteID, utc(r.Timestamp), r.Energy))
	}
	assertRows(t, "export", got, []string{"1 2025-12-31 13:00 0", "1 2025-12-31 13:30 20", "1 2025-12-31 14:00 0", "2 2026-01-01 00:30 2"})

	var summary []Summary
	if err := db.NewSelect().Model(&summary).Order("site_id", "timestamp").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, r := range summary {
		got = append(got, fmtRow(r.SiteID, utc(r.Timestamp), r.Generation, r.Import, r.Export, r.Consumption))
	}
	assertRows(t, "summary", got, []string{
		// A missing generation row of a site that records generation is 0;
		// an unknown import (reset) makes consumption unknown.
		"1 2025-12-31 13:00 5 50 0 55", "1 2025-12-31 13:30 0 NULL 20 NULL", "1 2025-12-31 14:00 25 30 0 55",
		// A site without any generation data: generation and consumption
		// are NULL, not a wrong number; missing export rows are 0.
		"2 2026-01-01 00:00 NULL 13 0 NULL", "2 2026-01-01 00:30 NULL 7 2 NULL", "2 2026-01-01 01:00 NULL 100 0 NULL",
	})

	var daily []DailySummary
	if err := db.NewSelect().Model(&daily).Order("site_id", "date").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, r := range daily {
		got = append(got, fmtRow(r.SiteID, r.Date.Format("2006-01-02"), r.Generation, r.Import, r.Export, r.Consumption))
	}
	// Site 1's intervals are on 31 December in UTC but 1 January in Sydney.
	assertRows(t, "daily_summary", got, []string{"1 2026-01-01 30 80 20 110", "2 2026-01-01 NULL 120 2 NULL"})

	// The relation to Site works and never writes.
	var withSite []Summary
	if err := db.NewSelect().Model(&withSite).Relation("Site").Where("summary.site_id = 2").Limit(1).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(withSite) != 1 || withSite[0].Site == nil || withSite[0].Site.Name != "meter" {
		t.Errorf("relation to site: %+v", withSite)
	}
}

func TestViewModelsAreReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	seedEnergy(t, db)
	cases := map[string]func() error{
		"insert": func() error { _, err := db.NewInsert().Model(&Summary{SiteID: 1}).Exec(ctx); return err },
		"update": func() error {
			_, err := db.NewUpdate().Model(&ImportEnergy{SiteID: 1}).Set("energy = 0").Where("true").Exec(ctx)
			return err
		},
		"delete": func() error { _, err := db.NewDelete().Model(&DailySummary{}).Where("true").Exec(ctx); return err },
		"delete export": func() error {
			_, err := db.NewDelete().Model(&ExportEnergy{}).Where("true").Exec(ctx)
			return err
		},
	}
	for name, run := range cases {
		if err := run(); err == nil || !strings.Contains(err.Error(), "read-only view") {
			t.Errorf("%s: want the model to refuse, got %v", name, err)
		}
	}
	var n int
	if err := db.NewSelect().Model((*ImportEnergy)(nil)).ColumnExpr("count(*)").Scan(ctx, &n); err != nil || n != 6 {
		t.Errorf("select after refused writes: %d rows, %v", n, err)
	}
}
