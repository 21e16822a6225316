package migrations_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestConstraintsLiveInTheDatabase inserts what the schema must refuse,
// bypassing any Go validation, and checks PostgreSQL's answer.
func TestConstraintsLiveInTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)

	site := &models.Site{Name: "home", TimeZone: "Australia/Adelaide"}
	retailer := &models.Retailer{Name: "Sparky"}
	mustInsert := func(model any) {
		t.Helper()
		if _, err := db.NewInsert().Model(model).Exec(ctx); err != nil {
			t.Fatalf("inserting %T: %v", model, err)
		}
	}
	mustInsert(site)
	mustInsert(retailer)
	tariff := &models.Tariff{RetailerID: retailer.ID, Name: "Flat"}
	mustInsert(tariff)
	sensor := &models.Sensor{Location: "garage", Code: "T1"}
	mustInsert(sensor)
	mustInsert(&models.Reading{SensorID: sensor.ID, Timestamp: date("2024-01-01"), Temperature: "21.500"})
	mustInsert(&models.BillingPeriod{SiteID: site.ID, TariffID: tariff.ID,
		Period: pgdialect.NewRange(date("2024-01-01"), date("2024-04-01"))})

	tests := []struct {
		name  string
		model any
		code  string
	}{
		{"overlapping billing period", &models.BillingPeriod{SiteID: site.ID, TariffID: tariff.ID,
			Period: pgdialect.NewRange(date("2024-03-01"), date("2024-06-01"))}, database.ExclusionViolation},
		{"reading for an unknown sensor", &models.Reading{SensorID: sensor.ID + 1000, Timestamp: date("2024-01-01"), Temperature: "1"}, database.ForeignKeyViolation},
		{"duplicate sensor and timestamp", &models.Reading{SensorID: sensor.ID, Timestamp: date("2024-01-01"), Temperature: "22"}, database.UniqueViolation},
		{"temperature beyond numeric(6,3)", &models.Reading{SensorID: sensor.ID, Timestamp: date("2024-01-02"), Temperature: "1000.5"}, "22003"},
		{"duplicate site name", &models.Site{Name: "home", TimeZone: "UTC"}, database.UniqueViolation},
		{"unknown time zone", &models.Site{Name: "elsewhere", TimeZone: "Mars/Olympus"}, database.CheckViolation},
		{"duplicate sensor code", &models.Sensor{Location: "shed", Code: "T1"}, database.UniqueViolation},
		{"duplicate sensor location", &models.Sensor{Location: "garage", Code: "T2"}, database.UniqueViolation},
		{"tariff of an unknown retailer", &models.Tariff{RetailerID: retailer.ID + 1000, Name: "Ghost"}, database.ForeignKeyViolation},
		{"meter interval with a bad direction", &models.MeterInterval{SiteID: site.ID, Channel: "E1", Direction: "sideways",
			Timestamp: date("2024-01-01"), Duration: models.Interval(30 * time.Minute), Energy: 1, Quality: "A"}, database.CheckViolation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.NewInsert().Model(tt.model).Exec(ctx)
			if err == nil {
				t.Fatal("the database accepted it")
			}
			pgErr, ok := database.PgError(err)
			if !ok || pgErr.Code != tt.code {
				t.Fatalf("error = %v, want SQLSTATE %s", err, tt.code)
			}
		})
	}

	// Adjacent periods ([) bounds) are not an overlap.
	mustInsert(&models.BillingPeriod{SiteID: site.ID, TariffID: tariff.ID,
		Period: pgdialect.NewRange(date("2024-04-01"), date("2024-07-01"))})

	var got []models.BillingPeriod
	if err := db.NewSelect().Model(&got).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[1].Period.Lower.Equal(date("2024-04-01")) || !got[1].Period.Upper.Equal(date("2024-07-01")) {
		t.Fatalf("billing periods read back as %+v", got)
	}
}
