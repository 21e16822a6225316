package sensors

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// statements counts the queries Bun sends, to prove each named query is
// one statement.
type statements struct{ n atomic.Int64 }

func (s *statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	s.n.Add(1)
	return ctx
}

func (s *statements) AfterQuery(context.Context, *bun.QueryEvent) {}

// fixture is the seeded data: sensor A at site "home" reports every two
// hours up to an hour ago, B (no site) last reported ten days ago, C never.
type fixture struct {
	db     *bun.DB
	count  *statements
	now    time.Time
	tempsA []string // oldest first
	atA    []time.Time
}

const tempB = "-5.500"

func setup(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	now := time.Now().UTC().Truncate(time.Second)
	f := fixture{db: db, now: now,
		tempsA: []string{"20.000", "21.500", "19.250", "22.125", "18.000", "23.750", "17.500"}}
	for i := range f.tempsA {
		f.atA = append(f.atA, now.Add(-time.Hour-time.Duration(len(f.tempsA)-1-i)*2*time.Hour))
	}
	site := models.Site{ID: 1, Name: "home", TimeZone: "Australia/Adelaide"}
	siteID := site.ID
	sensors := []models.Sensor{
		{ID: 1, SiteID: &siteID, Location: "roof", Code: "A"},
		{ID: 2, Location: "shed", Code: "B"},
		{ID: 3, Location: "cellar", Code: "C"},
	}
	readings := []models.Reading{{SensorID: 2, Timestamp: now.Add(-240 * time.Hour), Temperature: tempB}}
	for i, temp := range f.tempsA {
		readings = append(readings, models.Reading{SensorID: 1, Timestamp: f.atA[i], Temperature: temp})
	}
	for _, m := range []any{&site, &sensors, &readings} {
		if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
			t.Fatalf("seeding: %v", err)
		}
	}
	f.count = &statements{}
	db.AddQueryHook(f.count)
	return f
}

// once runs fn and fails unless it sent exactly one statement.
func (f fixture) once(t *testing.T, fn func() error) {
	t.Helper()
	before := f.count.n.Load()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	if n := f.count.n.Load() - before; n != 1 {
		t.Errorf("sent %d statements, want 1", n)
	}
}

func TestSensorQueries(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	last := len(f.tempsA) - 1

	t.Run("latest", func(t *testing.T) {
		var rows []models.SensorLatest
		f.once(t, func() error { return f.db.NewSelect().Model(&rows).Order("code").Scan(ctx) })
		if len(rows) != 3 {
			t.Fatalf("got %d sensors, want 3", len(rows))
		}
		a, b, c := rows[0], rows[1], rows[2]
		if a.Code != "A" || a.Temperature == nil || *a.Temperature != f.tempsA[last] || !a.TakenAt.Equal(f.atA[last]) || !a.ReportedLastDay {
			t.Errorf("sensor A: %+v, want %s at %v, reported in the last day", a, f.tempsA[last], f.atA[last])
		}
		if b.Temperature == nil || *b.Temperature != tempB || b.ReportedLastDay || b.SiteID != nil {
			t.Errorf("sensor B: %+v, want %s, not reported in the last day, no site", b, tempB)
		}
		if c.Temperature != nil || c.TakenAt != nil || c.ReportedLastDay {
			t.Errorf("sensor C never reported: %+v", c)
		}
	})

	t.Run("recent", func(t *testing.T) {
		var rows []models.SensorRecent
		f.once(t, func() error { return f.db.NewSelect().Model(&rows).Order("sensor_id").Scan(ctx) })
		a := rows[0]
		if a.Latest.Model == nil || a.Latest.Model.Temperature != f.tempsA[last] || !a.Latest.Model.Timestamp.Equal(f.atA[last]) {
			t.Errorf("sensor A latest: %+v", a.Latest.Model)
		}
		var temps []string
		for i, p := range a.LastFive {
			temps = append(temps, string(p.Temperature))
			if !p.Timestamp.Equal(f.atA[last-i]) {
				t.Errorf("sensor A last five [%d] at %v, want %v", i, p.Timestamp, f.atA[last-i])
			}
		}
		want := slices.Clone(f.tempsA[last-4:])
		slices.Reverse(want)
		if !slices.Equal(temps, want) {
			t.Errorf("sensor A last five %v, want %v", temps, want)
		}
		if len(a.LastFiveByTime) != 5 {
			t.Errorf("sensor A last five by time has %d entries: %v", len(a.LastFiveByTime), a.LastFiveByTime)
		}
		for i := last - 4; i <= last; i++ {
			key := f.atA[i].UTC().Format(time.RFC3339)
			if got := string(a.LastFiveByTime[key]); got != f.tempsA[i] {
				t.Errorf("sensor A last five by time [%s] = %q, want %s", key, got, f.tempsA[i])
			}
		}
		c := rows[2]
		if c.Latest.Model != nil || len(c.LastFive) != 0 || c.LastFiveByTime != nil {
			t.Errorf("sensor C never reported: %+v", c)
		}
	})

	t.Run("report", func(t *testing.T) {
		var rows []ReportRow
		f.once(t, func() (err error) { rows, err = Report(ctx, f.db); return })
		if len(rows) != 3 {
			t.Fatalf("got %d sensors, want 3", len(rows))
		}
		a, b := rows[0], rows[1]
		if a.Site == nil || a.Site.Name != "home" || a.Site.TimeZone != "Australia/Adelaide" {
			t.Errorf("sensor A site %+v", a.Site)
		}
		if b.Site != nil {
			t.Errorf("sensor B has no site, got %+v", b.Site)
		}
		want := slices.Clone(f.tempsA[last-4:])
		slices.Reverse(want)
		if !slices.Equal(a.LastFive, want) {
			t.Errorf("sensor A last five %v, want %v", a.LastFive, want)
		}
		// The week before A's newest reading holds all of A and nothing of B.
		if a.Count != int64(len(f.tempsA)) || deref(a.Min) != "17.500" || deref(a.Max) != "23.750" || b.Count != 0 {
			t.Errorf("stats: A %+v, B %+v", a.Stats, b.Stats)
		}
		if a.StatsFrom == nil || !a.StatsFrom.Equal(f.atA[last].AddDate(0, 0, -StatsDays)) {
			t.Errorf("stats period starts %v, want a week before %v", a.StatsFrom, f.atA[last])
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}
