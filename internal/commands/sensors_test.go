package commands

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

// statementCounter counts the statements Bun sends.
type statementCounter struct{ n atomic.Int64 }

func (s *statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	s.n.Add(1)
	return ctx
}

func (s *statementCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

// seedSensors adds site "home" (Adelaide) with sensors ROOF (readings
// every hour up to 30 minutes ago) and SHED (one reading two days ago), and
// CELLAR, with no site and no reading.
func seedSensors(t *testing.T, db *bun.DB) time.Time {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	siteID := int64(1)
	readings := []models.Reading{{SensorID: 2, Timestamp: now.Add(-48 * time.Hour), Temperature: "12.250"}}
	for i, temp := range []string{"18.000", "19.500", "21.125", "22.000", "20.500", "23.750"} {
		readings = append(readings, models.Reading{SensorID: 1, Timestamp: now.Add(-30*time.Minute - time.Duration(5-i)*time.Hour), Temperature: temp})
	}
	for _, m := range []any{
		&models.Site{ID: siteID, Name: "home", TimeZone: "Australia/Adelaide"},
		&[]models.Sensor{{ID: 1, SiteID: &siteID, Location: "roof", Code: "ROOF"},
			{ID: 2, SiteID: &siteID, Location: "shed", Code: "SHED"}, {ID: 3, Location: "cellar", Code: "CELLAR"}},
		&readings,
	} {
		if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
			t.Fatalf("seeding: %v", err)
		}
	}
	return now
}

func TestSensorsIsOneStatement(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	seedSensors(t, db)
	count := &statementCounter{}
	db.AddQueryHook(count)

	var out bytes.Buffer
	if err := printSensors(context.Background(), db, &out); err != nil {
		t.Fatal(err)
	}
	if n := count.n.Load(); n != 1 {
		t.Errorf("solarview sensors sent %d statements, want 1", n)
	}
	t.Logf("\n%s", out.String())
}

func TestSensorsCommand(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	if out := mustRun(t, dsn, "sensors"); !strings.Contains(out, "No sensors yet.") {
		t.Errorf("empty database: %q", out)
	}

	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := seedSensors(t, db)
	out := mustRun(t, dsn, "sensors")

	lines := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		for _, code := range []string{"ROOF", "SHED", "CELLAR"} {
			if strings.Contains(line, " "+code+" ") {
				if _, dup := lines[code]; dup {
					t.Errorf("sensor %s printed twice:\n%s", code, out)
				}
				lines[code] = line
			}
		}
	}
	adelaide, _ := time.LoadLocation("Australia/Adelaide")
	want := map[string][]string{
		// Latest 23.75 at 30 minutes ago, in Adelaide time; the last five
		// newest first; stats over all six readings.
		"ROOF": {"23.75", now.Add(-30 * time.Minute).In(adelaide).Format("2006-01-02 15:04 MST"), "yes",
			"23.75 20.5 22.0 21.125 19.5", "18.0", "20.813", " 6 "},
		// Two days old: not reported in the last day, but inside the
		// statistics week.
		"SHED":   {"12.25", now.Add(-48 * time.Hour).In(adelaide).Format("2006-01-02 15:04 MST"), " no ", " 1 "},
		"CELLAR": {"never", " no ", "–", " 0 "},
	}
	for code, parts := range want {
		line, ok := lines[code]
		if !ok {
			t.Errorf("sensor %s missing:\n%s", code, out)
			continue
		}
		for _, p := range parts {
			if !strings.Contains(line, p) {
				t.Errorf("sensor %s: %q missing from %q", code, p, line)
			}
		}
	}
	if !strings.Contains(out, "days before the newest reading") {
		t.Errorf("no statistics caption:\n%s", out)
	}
}
