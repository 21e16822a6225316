package jsonmodel_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/internal/jsonmodel"
	"github.com/solarview/solarview/models"
)

// everything has a field of each kind the decoder converts.
type everything struct {
	bun.BaseModel `bun:"table:everything"`

	ID        int64                      `bun:"id,pk"`
	Name      string                     `bun:"name"`
	Nick      *string                    `bun:"nick"`
	Ratio     float64                    `bun:"ratio"`
	Temp      string                     `bun:"temp,type:numeric(6,3)"`
	TempPtr   *string                    `bun:"temp_ptr,type:numeric(6,3)"`
	Flag      bool                       `bun:"flag"`
	At        time.Time                  `bun:"at"`
	AtPtr     *time.Time                 `bun:"at_ptr"`
	Day       time.Time                  `bun:"day,type:date"`
	Local     time.Time                  `bun:"local,type:timestamp"`
	Every     time.Duration              `bun:"every,type:interval"`
	EveryPtr  *time.Duration             `bun:"every_ptr,type:interval"`
	Period    pgdialect.Range[time.Time] `bun:"period,type:daterange"`
	Days      []int16                    `bun:"days,array,type:smallint[]"`
	Doc       json.RawMessage            `bun:"doc,type:jsonb"`
	Tags      map[string]string          `bun:"tags,type:jsonb"`
	Price     models.Money               `bun:"price,type:numeric"`
	Start     *models.ClockTime          `bun:"start,type:time"`
	Renamed   int64                      `bun:"new_name,alt:old_name"`
	Embedded                             // columns of an embedded struct
	Unrelated *models.Site               `bun:"rel:belongs-to,join:id=id"`
}

type Embedded struct {
	Inner string `bun:"inner"`
}

func TestDecodeEveryKind(t *testing.T) {
	t.Parallel()
	data := `{
		"id": 9007199254740993, "name": "roof", "nick": null, "ratio": 0.1,
		"temp": 21.500, "temp_ptr": -0.250, "flag": true,
		"at": "2026-03-01T10:00:00.123456+10:30", "at_ptr": null,
		"day": "2026-03-01", "local": "2026-03-01T10:00:00",
		"every": "1 day 02:30:00.5", "every_ptr": "-00:05:00",
		"period": "[2026-01-01,2026-02-01)", "days": [1, 2, 7],
		"doc": {"a": [1, 2]}, "tags": {"k": "v"}, "price": 0.285500000,
		"start": "07:30:00", "old_name": 42, "inner": "deep",
		"surprise": {"not": "a column"}
	}`
	got, extra, err := jsonmodel.Decode[everything]([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	adelaide := time.FixedZone("", 10*3600+30*60)
	checks := []struct {
		name      string
		got, want any
	}{
		{"bigint beyond float precision", got.ID, int64(9007199254740993)},
		{"text", got.Name, "roof"},
		{"null text pointer", got.Nick, (*string)(nil)},
		{"float", got.Ratio, 0.1},
		{"numeric keeps its digits", got.Temp, "21.500"},
		{"numeric pointer", *got.TempPtr, "-0.250"},
		{"bool", got.Flag, true},
		{"timestamptz instant", got.At.Equal(time.Date(2026, 3, 1, 10, 0, 0, 123456000, adelaide)), true},
		{"timestamptz keeps its offset", got.At.Format(time.RFC3339Nano), "2026-03-01T10:00:00.123456+10:30"},
		{"null time pointer", got.AtPtr, (*time.Time)(nil)},
		{"date", got.Day, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"timestamp without zone", got.Local, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)},
		{"interval", got.Every, 26*time.Hour + 30*time.Minute + 500*time.Millisecond},
		{"interval pointer", *got.EveryPtr, -5 * time.Minute},
		{"daterange lower", got.Period.Lower, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"daterange upper", got.Period.Upper, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"daterange bounds", string([]byte{byte(got.Period.LowerBound), byte(got.Period.UpperBound)}), "[)"},
		{"array", len(got.Days) == 3 && got.Days[0] == 1 && got.Days[2] == 7, true},
		{"jsonb raw", string(got.Doc), `{"a": [1, 2]}`},
		{"jsonb map", got.Tags["k"], "v"},
		{"money scanner", got.Price.String(), "0.2855"},
		{"clock time scanner", got.Start.String(), "07:30"},
		{"alt name", got.Renamed, int64(42)},
		{"embedded struct column", got.Inner, "deep"},
		{"unknown key kept", string(extra["surprise"]), `{"not": "a column"}`},
		{"only unknown keys are extra", strings.Join(extra.Keys(), ","), "surprise"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v (%T), want %v (%T)", c.name, c.got, c.got, c.want, c.want)
		}
	}
}

func TestFieldScan(t *testing.T) {
	t.Parallel()
	var f jsonmodel.Field[models.Reading]
	if err := f.Scan([]byte(`{"id": 1, "sensor_id": 2, "timestamp": "2026-01-01T00:00:00+00:00", "temperature": 20.125}`)); err != nil {
		t.Fatal(err)
	}
	if f.Model == nil || f.Model.SensorID != 2 || f.Model.Temperature != "20.125" || f.Extra != nil {
		t.Fatalf("scanned %+v extra %v", f.Model, f.Extra)
	}
	// NULL (no row in the subquery) clears a reused field.
	if err := f.Scan(nil); err != nil {
		t.Fatal(err)
	}
	if f.Model != nil {
		t.Errorf("NULL gave %+v, want a nil model", f.Model)
	}
	if err := f.Scan("null"); err != nil || f.Model != nil {
		t.Errorf("JSON null gave %+v, %v; want a nil model", f.Model, err)
	}
	if v, err := f.Value(); v != nil || err != nil {
		t.Errorf("Value of a nil model = %v, %v; want NULL", v, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"not an object", `[1]`, "jsonmodel: decoding Reading"},
		{"bad timestamp", `{"timestamp": "yesterday"}`, `column "timestamp" into Reading.Timestamp: "yesterday" is not a timestamp`},
		{"string into an integer", `{"sensor_id": "two"}`, `column "sensor_id" into Reading.SensorID`},
		{"fraction into an integer", `{"id": 1.5}`, `column "id" into Reading.ID`},
		{"broken JSON", `{"id": `, "jsonmodel: decoding Reading"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := jsonmodel.Decode[models.Reading]([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := jsonmodel.Unmarshal([]byte(`{}`), models.Reading{}); err == nil {
		t.Error("Unmarshal into a non-pointer succeeded")
	}
}

func TestIntervalStyles(t *testing.T) {
	t.Parallel()
	type row struct {
		Every time.Duration `bun:"every,type:interval"`
	}
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"00:30:00", 30 * time.Minute, ""},
		{"100:00:00", 100 * time.Hour, ""},
		{"-1 days +02:00:00", -22 * time.Hour, ""},
		{"2 days", 48 * time.Hour, ""},
		{"00:00:00.000001", time.Microsecond, ""},
		{"1 mon", 0, "no fixed length"},
		{"PT30M", 0, "IntervalStyle postgres"},
	}
	for _, tc := range tests {
		got, _, err := jsonmodel.Decode[row]([]byte(`{"every": "` + tc.in + `"}`))
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case got.Every != tc.want:
			t.Errorf("%q = %v, want %v", tc.in, got.Every, tc.want)
		}
	}
}
