package jsonmodel_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/jsonmodel"
	"github.com/solarview/solarview/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func ptr[T any](v T) *T { return &v }

// tableRows are rows of every table model, in foreign-key order, covering
// each column type the models use: bigint, text, nullable text and bigint,
// timestamptz in several zones, numeric(6,3), double precision, interval,
// daterange, numeric money, time and smallint[], with NULLs where allowed.
func tableRows() []any {
	sydney, _ := time.LoadLocation("Australia/Sydney")
	at := time.Date(2026, 3, 1, 10, 0, 0, 123456000, sydney)
	nine, five := models.ClockTime(9*3600), models.ClockTime(17*3600)
	return []any{
		&models.Site{ID: 1, Name: "home", NMI: ptr("4103035611"), TimeZone: "Australia/Adelaide", CreatedAt: at},
		&models.Site{ID: 2, Name: "shack", NMI: nil, TimeZone: "UTC", CreatedAt: at.UTC()},
		&models.Sensor{ID: 1, SiteID: ptr(int64(1)), Location: "roof", Code: "R1"},
		&models.Sensor{ID: 2, SiteID: nil, Location: "shed", Code: "S1"},
		&models.Reading{ID: 1, SensorID: 1, Timestamp: at, Temperature: "21.500"},
		&models.Reading{ID: 2, SensorID: 2, Timestamp: at.Add(time.Hour), Temperature: "-999.999"},
		&models.Generation{SiteID: 1, Timestamp: at, Energy: 123.456789},
		&models.ImportCumulative{SiteID: 1, Timestamp: at, Energy: 1e9 + 0.25},
		&models.ExportCumulative{SiteID: 1, Timestamp: at, Energy: 0},
		&models.MeterInterval{SiteID: 1, Channel: "E1", Direction: models.DirectionImport,
			Timestamp: at, Duration: models.Interval(30 * time.Minute), Energy: 0.5, Quality: "A"},
		&models.MeterInterval{SiteID: 1, Channel: "B1", Direction: models.DirectionExport,
			Timestamp: at, Duration: models.Interval(23*time.Hour + 5*time.Second), Energy: 12, Quality: "E"},
		&models.Retailer{ID: 1, Name: "Sparky"},
		&models.Tariff{ID: 1, RetailerID: 1, Name: "Flat", CreatedAt: at},
		&models.BillingPeriod{ID: 1, SiteID: 1, TariffID: 1, Period: pgdialect.NewRange(
			time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))},
		&models.TariffDailySupplyCharge{TariffComponentBase: models.TariffComponentBase{ID: 1, TariffID: 1, Label: "Supply"},
			Amount: 1_100_000_000},
		&models.TariffUsageRate{TariffComponentBase: models.TariffComponentBase{ID: 1, TariffID: 1},
			Rate: 286_550_000},
		&models.TariffUsageRate{TariffComponentBase: models.TariffComponentBase{ID: 2, TariffID: 1, Label: "Peak"},
			Rate: 450_000_001, TariffWindow: models.TariffWindow{
				Weekdays: []int16{1, 2, 3, 4, 5}, StartTime: &nine, EndTime: &five,
				SeasonStart: ptr("11-01"), SeasonEnd: ptr("03-31"),
			}},
		&models.TariffFeedInRate{TariffComponentBase: models.TariffComponentBase{ID: 1, TariffID: 1},
			Rate: -10_000_000},
		&models.TariffDemandCharge{TariffComponentBase: models.TariffComponentBase{ID: 1, TariffID: 1},
			Rate: 200_000_000, MeasuredOver: models.DemandOverDay, TariffWindow: models.TariffWindow{
				StartTime: &five, EndTime: &nine,
			}},
	}
}

// TestRoundTripEveryModel stores each row through jsonb_populate_record,
// so PostgreSQL parses every value as its column type, reads it back with
// to_jsonb — PostgreSQL's own JSON for the row — and decodes that. The
// session time zone has a half-hour offset, so zone handling shows.
func TestRoundTripEveryModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL TimeZone = 'Australia/Adelaide'"); err != nil {
		t.Fatal(err)
	}

	for i, want := range tableRows() {
		table := db.Table(reflect.TypeOf(want).Elem())
		t.Run(fmt.Sprintf("%02d_%s", i, table.TypeName), func(t *testing.T) {
			in, err := jsonmodel.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			var out string
			err = tx.NewRaw("INSERT INTO ? AS t SELECT * FROM jsonb_populate_record(NULL::?, ?::jsonb) RETURNING to_jsonb(t)",
				table.SQLName, table.SQLName, string(in)).Scan(ctx, &out)
			if err != nil {
				t.Fatalf("inserting %s: %v", in, err)
			}
			got := reflect.New(table.Type)
			extra, err := jsonmodel.Unmarshal([]byte(out), got.Interface())
			if err != nil {
				t.Fatalf("decoding %s: %v", out, err)
			}
			if extra != nil {
				t.Errorf("columns %v of %s have no field", extra.Keys(), table.Name)
			}
			if diffs := compare(reflect.ValueOf(want).Elem(), got.Elem(), table.TypeName); len(diffs) > 0 {
				t.Errorf("round trip of %s through %s changed it:\n%v", in, out, diffs)
			}
		})
	}
}

// TestDecodesPostgresOwnValues checks values PostgreSQL formats itself:
// numeric padding to its scale, offsets of the session zone, canonical
// ranges, and intervals longer than a day.
func TestDecodesPostgresOwnValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL TimeZone = 'America/St_Johns'"); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Temp   string                     `bun:"temp,type:numeric(6,3)"`
		TempF  float64                    `bun:"temp_f,type:numeric(6,3)"`
		At     time.Time                  `bun:"at"`
		Period pgdialect.Range[time.Time] `bun:"period,type:daterange"`
		Every  time.Duration              `bun:"every,type:interval"`
		Gone   *time.Time                 `bun:"gone"`
	}
	var data string
	err = tx.NewRaw(`SELECT to_jsonb(r) FROM (SELECT 7.1::numeric(6,3) AS temp, 7.1::numeric(6,3) AS temp_f,
		'2026-07-01 12:00:00+00'::timestamptz AS at, daterange('2026-01-01', '2026-01-31', '[]') AS period,
		interval '36 hours 15 minutes' AS every, NULL::timestamptz AS gone) AS r`).Scan(ctx, &data)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := jsonmodel.Decode[row]([]byte(data))
	if err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	if got.Temp != "7.100" || got.TempF != 7.1 {
		t.Errorf("numeric(6,3) 7.1 decoded as %q and %v", got.Temp, got.TempF)
	}
	if _, off := got.At.Zone(); off != -(2*3600+30*60) || !got.At.Equal(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("timestamptz decoded as %v, want 12:00 UTC at St John's summer offset -02:30", got.At)
	}
	if got.Period.Upper != time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) || got.Period.UpperBound != pgdialect.RangeBoundExclusiveRight {
		t.Errorf("canonical daterange decoded as %+v", got.Period)
	}
	if got.Every != 36*time.Hour+15*time.Minute {
		t.Errorf("interval decoded as %v from %s", got.Every, data)
	}
	if got.Gone != nil {
		t.Errorf("NULL timestamptz decoded as %v", got.Gone)
	}
}

// TestFieldInBunQuery scans to_jsonb columns into Field values through Bun,
// including NULL from a subquery that finds no row.
func TestFieldInBunQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	for _, m := range tableRows()[:6] {
		if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rows []struct {
		ID     int64                           `bun:"id"`
		Latest jsonmodel.Field[models.Reading] `bun:"latest"`
	}
	err := db.NewRaw(`SELECT s.id, (SELECT to_jsonb(r) FROM readings r WHERE r.sensor_id = s.id AND r.temperature > 0) AS latest
		FROM sensors s ORDER BY s.id`).Scan(ctx, &rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	if r := rows[0].Latest.Model; r == nil || r.ID != 1 || r.Temperature != "21.500" {
		t.Errorf("sensor 1: latest reading %+v, want reading 1 at 21.500", r)
	}
	if rows[1].Latest.Model != nil {
		t.Errorf("sensor 2 has no positive reading, got %+v", rows[1].Latest.Model)
	}
}

// compare lists the differences between two values of a model, comparing
// times by instant (their zones differ by design) and skipping relations.
func compare(want, got reflect.Value, path string) []string {
	if want.Type() == reflect.TypeFor[time.Time]() {
		if !want.Interface().(time.Time).Equal(got.Interface().(time.Time)) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		return nil
	}
	switch want.Kind() {
	case reflect.Pointer:
		if want.IsNil() || got.IsNil() {
			if want.IsNil() != got.IsNil() {
				return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
			}
			return nil
		}
		return compare(want.Elem(), got.Elem(), path)
	case reflect.Struct:
		var diffs []string
		for i := range want.NumField() {
			f := want.Type().Field(i)
			if !f.IsExported() || f.Type == reflect.TypeFor[bun.BaseModel]() {
				continue
			}
			if tag := f.Tag.Get("bun"); len(tag) >= 4 && tag[:4] == "rel:" {
				continue
			}
			diffs = append(diffs, compare(want.Field(i), got.Field(i), path+"."+f.Name)...)
		}
		return diffs
	}
	if !reflect.DeepEqual(want.Interface(), got.Interface()) {
		return []string{fmt.Sprintf("%s: got %#v, want %#v", path, got.Interface(), want.Interface())}
	}
	return nil
}
