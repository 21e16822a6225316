package sites

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// statements counts the queries Bun sends.
type statements struct{ n atomic.Int64 }

func (s *statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	s.n.Add(1)
	return ctx
}

func (s *statements) AfterQuery(context.Context, *bun.QueryEvent) {}

func insert(t *testing.T, db bun.IDB, models ...any) {
	t.Helper()
	for _, m := range models {
		if _, err := db.NewInsert().Model(m).Exec(context.Background()); err != nil {
			t.Fatalf("inserting %T: %v", m, err)
		}
	}
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestWithOverview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	home, bare := int64(1), int64(2)
	insert(t, db,
		&[]models.Site{{ID: home, Name: "home", TimeZone: "UTC"}, {ID: bare, Name: "bare", TimeZone: "UTC"}},
		// Codes come back sorted whatever the insertion order.
		&[]models.Sensor{{SiteID: &home, Location: "shed", Code: "S2"}, {SiteID: &home, Location: "roof", Code: "R1"},
			{Location: "nowhere", Code: "X9"}},
		// The earliest data is an import register reading, the latest a
		// meter interval: first and last span all four tables.
		&[]models.Generation{{SiteID: home, Timestamp: utc(2026, 1, 2, 0, 0), Energy: 1}, {SiteID: home, Timestamp: utc(2026, 1, 3, 0, 0), Energy: 1}},
		&[]models.ImportCumulative{{SiteID: home, Timestamp: utc(2025, 12, 31, 23, 55), Energy: 10}},
		&[]models.ExportCumulative{{SiteID: home, Timestamp: utc(2026, 1, 2, 12, 0), Energy: 10}},
	)
	// meter_intervals.duration is an interval; written in SQL so this test
	// does not depend on how time.Duration is bound.
	if _, err := db.ExecContext(ctx, `INSERT INTO meter_intervals (site_id, channel, direction, "timestamp", duration, energy)
		VALUES (1, 'E1', 'import', '2026-01-04 00:30:00+00', '30 minutes', 5)`); err != nil {
		t.Fatal(err)
	}
	count := &statements{}
	db.AddQueryHook(count)

	sites, err := WithOverview(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if n := count.n.Load(); n != 1 {
		t.Errorf("loading sites with their overview sent %d statements, want 1", n)
	}
	if len(sites) != 2 || sites[0].Name != "bare" || sites[1].Name != "home" {
		t.Fatalf("got sites %+v", sites)
	}
	b, h := sites[0].Overview, sites[1].Overview
	if h == nil || h.SiteID != home || !slices.Equal(h.SensorCodes, []string{"R1", "S2"}) ||
		h.FirstDataAt == nil || !h.FirstDataAt.Equal(utc(2025, 12, 31, 23, 55)) ||
		h.LastDataAt == nil || !h.LastDataAt.Equal(utc(2026, 1, 4, 0, 30)) {
		t.Errorf("home overview %+v", h)
	}
	if b == nil || len(b.SensorCodes) != 0 || b.FirstDataAt != nil || b.LastDataAt != nil {
		t.Errorf("bare site overview %+v, want no sensors and no data", b)
	}
}

// TestOverviewRelationNeverCascades: a relation to a view must not delete
// through it. Bun declares no ON DELETE for it, deleting a site works (and
// its overview row disappears with it, being computed), and the view model
// refuses deletes before they reach PostgreSQL.
func TestOverviewRelationNeverCascades(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)

	rel := db.Table(reflect.TypeFor[models.Site]()).Relations["Overview"]
	if rel == nil || rel.Type != schema.HasOneRelation || rel.OnDelete != "" || rel.References() {
		t.Fatalf("Site.Overview relation %+v: want has-one, no ON DELETE, no foreign key", rel)
	}

	insert(t, db, &models.Site{ID: 1, Name: "home", TimeZone: "UTC"})
	count := &statements{}
	db.AddQueryHook(count)
	site := &models.Site{ID: 1}
	if err := db.NewSelect().Model(site).WherePK().Relation("Overview").Scan(ctx); err != nil || site.Overview == nil {
		t.Fatalf("loading the site with its overview: %v, %+v", err, site.Overview)
	}
	if _, err := db.NewDelete().Model(site).WherePK().Exec(ctx); err != nil {
		t.Fatalf("deleting a site with a loaded overview: %v", err)
	}
	if n := count.n.Load(); n != 2 {
		t.Errorf("select and delete sent %d statements, want 2 (nothing cascaded)", n)
	}
	var left int
	if err := db.NewSelect().Model((*models.SiteOverview)(nil)).ColumnExpr("count(*)").Scan(ctx, &left); err != nil || left != 0 {
		t.Errorf("overview rows after deleting the site: %d, %v", left, err)
	}

	_, err := db.NewDelete().Model(&models.SiteOverview{SiteID: 1}).Where("site_id = 1").Exec(ctx)
	if err == nil || !strings.Contains(err.Error(), "read-only view") {
		t.Errorf("deleting from the view model: %v, want the read-only refusal", err)
	}
}

func TestWithCurrentBillingPeriod(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	insert(t, db,
		&[]models.Site{{ID: 1, Name: "perth", TimeZone: "Australia/Perth"},
			{ID: 2, Name: "sydney", TimeZone: "Australia/Sydney"}, {ID: 3, Name: "unbilled", TimeZone: "UTC"}},
		&models.Retailer{ID: 1, Name: "Sparky"},
		&models.Tariff{ID: 1, RetailerID: 1, Name: "Flat"},
	)
	jan, feb, mar := utc(2026, 1, 1, 0, 0), utc(2026, 2, 1, 0, 0), utc(2026, 3, 1, 0, 0)
	var periods []models.BillingPeriod
	for site := int64(1); site <= 2; site++ {
		periods = append(periods,
			models.BillingPeriod{SiteID: site, TariffID: 1, Period: pgdialect.NewRange(jan, feb)},
			models.BillingPeriod{SiteID: site, TariffID: 1, Period: pgdialect.NewRange(feb, mar)})
	}
	insert(t, db, &periods)
	count := &statements{}
	db.AddQueryHook(count)

	// 14:00 UTC on 31 January is 22:00 the same day in Perth but 01:00 on
	// 1 February in Sydney (UTC+11 in summer).
	at := utc(2026, 1, 31, 14, 0)
	sites, err := WithCurrentBillingPeriod(ctx, db, at)
	if err != nil {
		t.Fatal(err)
	}
	if n := count.n.Load(); n != 1 {
		t.Errorf("sent %d statements, want 1", n)
	}
	if len(sites) != 3 {
		t.Fatalf("got %d sites, want 3", len(sites))
	}
	want := map[string]time.Time{"perth": jan, "sydney": feb}
	for _, s := range sites {
		p := s.BillingPeriod.Model
		start, billed := want[s.Name]
		switch {
		case !billed && p != nil:
			t.Errorf("%s has no billing period, got %+v", s.Name, p)
		case billed && p == nil:
			t.Errorf("%s: no current billing period, want the one starting %v", s.Name, start.Format(time.DateOnly))
		case billed && (p.SiteID != s.ID || p.TariffID != 1 || !p.Period.Lower.Equal(start) ||
			!p.Period.Upper.Equal(start.AddDate(0, 1, 0)) || p.Period.LowerBound != pgdialect.RangeBoundInclusiveLeft):
			t.Errorf("%s: current billing period %+v, want [%v, +1 month)", s.Name, p, start.Format(time.DateOnly))
		}
	}
}

func TestGoldenSQL(t *testing.T) {
	t.Parallel()
	db := bun.NewDB(nil, pgdialect.New())
	got, err := subquery.Render(db.QueryGen(),
		currentBillingPeriodQuery(db, &[]SiteWithBillingPeriod{}, utc(2026, 1, 31, 14, 0)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "current_billing_period.sql")
	got += "\n"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("SQL differs from %s (go test -update rewrites it)\ngot:  %s\nwant: %s", path, got, want)
	}
}
