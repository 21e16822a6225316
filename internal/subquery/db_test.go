package subquery_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/jsonmodel"
	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The test data: sensor A reports hourly from base, B once two days before,
// C never. `since` (golden_test.go) falls between A's third and fourth
// readings, so only A has reported since then.
var (
	base    = since.Add(-150 * time.Minute) // A's readings: base … base+5h
	tempsA  = []string{"20.000", "21.500", "19.250", "22.125", "18.000", "23.750"}
	readAtB = base.Add(-48 * time.Hour)
)

const tempB = "-5.500"

// seed inserts sites 1 (sensors A, B) and 2 (none), and sensor C without a
// site, with the readings above.
func seed(t *testing.T) *bun.DB {
	t.Helper()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	site1 := int64(1)
	rows := []any{
		&[]models.Site{{ID: 1, Name: "home", TimeZone: "UTC"}, {ID: 2, Name: "empty", TimeZone: "UTC"}},
		&[]models.Sensor{{ID: 1, SiteID: &site1, Location: "roof", Code: "A"},
			{ID: 2, SiteID: &site1, Location: "shed", Code: "B"}, {ID: 3, Location: "cellar", Code: "C"}},
	}
	readings := []models.Reading{{SensorID: 2, Timestamp: readAtB, Temperature: tempB}}
	for i, temp := range tempsA {
		readings = append(readings, models.Reading{SensorID: 1, Timestamp: base.Add(time.Duration(i) * time.Hour), Temperature: temp})
	}
	rows = append(rows, &readings)
	for _, r := range rows {
		if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
			t.Fatalf("seeding: %v", err)
		}
	}
	return db
}

// row is one sensor with the expression's value.
type row[T any] struct {
	ID   int64  `bun:"id"`
	Code string `bun:"code"`
	V    T      `bun:"v"`
}

// byCode runs sensorsWith(expr) and returns the values by sensor code.
func byCode[T any](t *testing.T, db *bun.DB, expr any) map[string]T {
	t.Helper()
	var rows []row[T]
	if err := sensorsWith(db, "v", expr).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]T{}
	for _, r := range rows {
		out[r.Code] = r.V
	}
	if len(out) != 3 {
		t.Fatalf("got %d sensors, want 3: %v", len(out), out)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}

func TestExpressionsOnPostgres(t *testing.T) {
	t.Parallel()
	db := seed(t)
	cases := map[string]func(db bun.IDB) any{}
	for _, c := range exprCases {
		cases[c.name] = c.expr
	}
	last := len(tempsA) - 1

	t.Run("scalar", func(t *testing.T) {
		got := byCode[*string](t, db, cases["scalar"](db))
		want := map[string]string{"A": tempsA[last], "B": tempB, "C": "NULL"}
		for code, w := range want {
			if g := deref(got[code]); g != w {
				t.Errorf("sensor %s: latest temperature %s, want %s", code, g, w)
			}
		}
	})

	t.Run("scalar_json_build_object", func(t *testing.T) {
		got := byCode[*string](t, db, cases["scalar_json_build_object"](db))
		var latest struct {
			Timestamp   time.Time   `json:"timestamp"`
			Temperature json.Number `json:"temperature"`
		}
		if err := json.Unmarshal([]byte(deref(got["A"])), &latest); err != nil {
			t.Fatal(err)
		}
		if !latest.Timestamp.Equal(base.Add(time.Duration(last)*time.Hour)) || string(latest.Temperature) != tempsA[last] {
			t.Errorf("sensor A: latest %+v", latest)
		}
		if got["C"] != nil {
			t.Errorf("sensor C has no reading but got %s", *got["C"])
		}
	})

	t.Run("exists", func(t *testing.T) {
		got := byCode[bool](t, db, cases["exists"](db))
		if !got["A"] || got["B"] || got["C"] {
			t.Errorf("reported since %v: %v, want only A", since, got)
		}
		not := byCode[bool](t, db, cases["not_exists"](db))
		if not["A"] || !not["B"] || !not["C"] {
			t.Errorf("silent since %v: %v, want B and C", since, not)
		}
	})

	t.Run("array", func(t *testing.T) {
		var rows []struct {
			ID   int64    `bun:"id"`
			Code string   `bun:"code"`
			V    []string `bun:"v,array"`
		}
		if err := sensorsWith(db, "v", cases["array"](db)).Scan(context.Background(), &rows); err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, r := range rows {
			for _, obj := range r.V {
				var reading struct {
					Temperature json.Number `json:"temperature"`
				}
				if err := json.Unmarshal([]byte(obj), &reading); err != nil {
					t.Fatal(err)
				}
				got[r.Code] = append(got[r.Code], string(reading.Temperature))
			}
			if r.V == nil {
				t.Errorf("sensor %s: NULL array, want empty", r.Code)
			}
		}
		wantA := slices.Clone(tempsA[1:])
		slices.Reverse(wantA)
		if !slices.Equal(got["A"], wantA) || !slices.Equal(got["B"], []string{tempB}) || len(got["C"]) != 0 {
			t.Errorf("last five: %v, want A %v, B [%s], C []", got, wantA, tempB)
		}
	})

	t.Run("json_object_agg", func(t *testing.T) {
		got := byCode[*string](t, db, cases["json_object_agg"](db))
		var byTime map[string]json.Number
		if err := json.Unmarshal([]byte(deref(got["A"])), &byTime); err != nil {
			t.Fatal(err)
		}
		if len(byTime) != 5 {
			t.Fatalf("sensor A: %d entries, want 5: %v", len(byTime), byTime)
		}
		for key, temp := range byTime {
			at, err := parsePGTime(key)
			if err != nil {
				t.Fatal(err)
			}
			i := int(at.Sub(base) / time.Hour)
			if i < 1 || i > last || string(temp) != tempsA[i] {
				t.Errorf("sensor A: %s → %s is not one of its last five readings", key, temp)
			}
		}
		if got["C"] != nil {
			t.Errorf("sensor C has no reading but got %s", *got["C"])
		}
	})

	t.Run("to_jsonb", func(t *testing.T) {
		got := byCode[jsonmodel.Field[models.Reading]](t, db, cases["to_jsonb"](db))
		a, b := got["A"].Model, got["B"].Model
		if a == nil || a.SensorID != 1 || a.Temperature != tempsA[last] || !a.Timestamp.Equal(base.Add(time.Duration(last)*time.Hour)) {
			t.Errorf("sensor A: latest reading %+v", a)
		}
		if b == nil || b.Temperature != tempB || !b.Timestamp.Equal(readAtB) {
			t.Errorf("sensor B: latest reading %+v", b)
		}
		if got["C"].Model != nil {
			t.Errorf("sensor C: %+v, want no reading", got["C"].Model)
		}
	})

	t.Run("count", func(t *testing.T) {
		got := byCode[int64](t, db, cases["count"](db))
		if got["A"] != int64(len(tempsA)) || got["B"] != 1 || got["C"] != 0 {
			t.Errorf("counts %v, want A %d, B 1, C 0", got, len(tempsA))
		}
	})

	t.Run("aggregates", func(t *testing.T) {
		var sum, lo, hi float64 = 0, math.Inf(1), math.Inf(-1)
		for _, s := range tempsA {
			v, _ := strconv.ParseFloat(s, 64)
			sum += v
			lo, hi = min(lo, v), max(hi, v)
		}
		want := map[string]map[string]float64{
			"aggregate_sum": {"A": sum, "B": -5.5},
			"aggregate_avg": {"A": sum / float64(len(tempsA)), "B": -5.5},
			"aggregate_min": {"A": lo, "B": -5.5},
			"aggregate_max": {"A": hi, "B": -5.5},
		}
		for name, w := range want {
			got := byCode[*string](t, db, cases[name](db))
			for code, wv := range w {
				gv, err := strconv.ParseFloat(deref(got[code]), 64)
				if err != nil || math.Abs(gv-wv) > 1e-9 {
					t.Errorf("%s of sensor %s = %s, want %v", name, code, deref(got[code]), wv)
				}
			}
			if got["C"] != nil {
				t.Errorf("%s of sensor C (no readings) = %s, want NULL", name, *got["C"])
			}
		}
	})

	t.Run("aggregate_uncorrelated", func(t *testing.T) {
		got := byCode[time.Time](t, db, cases["aggregate_uncorrelated"](db))
		for code, at := range got {
			if !at.Equal(base.Add(time.Duration(last) * time.Hour)) {
				t.Errorf("sensor %s: newest reading anywhere %v", code, at)
			}
		}
	})

	t.Run("nested", func(t *testing.T) {
		var sites []struct {
			ID    int64    `bun:"id"`
			Codes []string `bun:"codes,array"`
		}
		if err := reportingCodes(db).Scan(context.Background(), &sites); err != nil {
			t.Fatal(err)
		}
		if len(sites) != 2 || !slices.Equal(sites[0].Codes, []string{"A", "B"}) || len(sites[1].Codes) != 0 {
			t.Errorf("reporting sensors per site: %+v, want site 1 [A B], site 2 []", sites)
		}
	})

	t.Run("where", func(t *testing.T) {
		var codes []string
		q := db.NewSelect().Model((*models.Sensor)(nil)).Column("code").
			Where("?", subquery.Exists(readings(db))).
			Where("? > ?", subquery.Count(readings(db)), 3)
		if err := q.Scan(context.Background(), &codes); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(codes, []string{"A"}) {
			t.Errorf("sensors with more than 3 readings: %v, want [A]", codes)
		}
	})
}

// parsePGTime reads a timestamptz as PostgreSQL's text output writes it
// with DateStyle ISO.
func parsePGTime(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{"2006-01-02 15:04:05-07", "2006-01-02 15:04:05-07:00", time.RFC3339} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}
