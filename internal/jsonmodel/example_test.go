package jsonmodel_test

import (
	"fmt"

	"github.com/solarview/solarview/internal/jsonmodel"
	"github.com/solarview/solarview/models"
)

// A registry keyed by model name rebuilds rows of several tables that a view
// returns as (model, data jsonb) — the tariff_components pattern. Each entry
// only has to make an empty model; Unmarshal does the rest.
func ExampleUnmarshal() {
	registry := map[string]func() any{
		"daily_supply_charge": func() any { return new(models.TariffDailySupplyCharge) },
		"usage_rate":          func() any { return new(models.TariffUsageRate) },
	}
	row := models.TariffComponentRow{
		Model: "usage_rate",
		Data:  []byte(`{"id": 7, "tariff_id": 1, "label": "Peak", "rate": 0.45, "weekdays": [1, 2, 3, 4, 5], "start_time": "16:00:00", "end_time": "21:00:00", "season_start": null, "season_end": null}`),
	}
	component := registry[row.Model]()
	extra, err := jsonmodel.Unmarshal(row.Data, component)
	if err != nil {
		fmt.Println(err)
		return
	}
	rate := component.(*models.TariffUsageRate)
	fmt.Println(rate.Label, rate.Rate, rate.Weekdays, rate.StartTime, rate.EndTime, rate.SeasonStart == nil, len(extra))
	// Output: Peak 0.45 [1 2 3 4 5] 16:00 21:00 true 0
}

// Field scans a to_jsonb column; a NULL (no row) gives a nil Model.
func ExampleField() {
	var latest jsonmodel.Field[models.Reading]
	_ = latest.Scan([]byte(`{"id": 1, "sensor_id": 3, "timestamp": "2026-03-01T10:00:00+10:30", "temperature": 21.500, "note": "x"}`))
	fmt.Println(latest.Model.Temperature, latest.Model.Timestamp.Format("15:04 -07:00"), latest.Extra.Keys())
	_ = latest.Scan(nil)
	fmt.Println(latest.Model == nil)
	// Output:
	// 21.500 10:00 +10:30 [note]
	// true
}
