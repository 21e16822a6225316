package demo

import (
	"context"
	"math"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/models"
)

// Sensor is a temperature sensor of the demo household. Reading derives its
// temperature from the interval's weather, so the sensors agree with the
// energy data (a hot roof on sunny afternoons, a cold garage in winter).
type Sensor struct {
	Code     string
	Location string
	Reading  func(iv Interval, previous float64) float64
}

// Sensors of the demo household.
var Sensors = []Sensor{
	{Code: "OUT1", Location: "Back veranda (outdoors)", Reading: func(iv Interval, _ float64) float64 {
		return iv.Outdoor
	}},
	{Code: "ROOF1", Location: "Roof space", Reading: func(iv Interval, _ float64) float64 {
		return iv.Outdoor + 18*iv.Sun // the sun heats the tiles
	}},
	{Code: "GAR1", Location: "Garage, beside the battery", Reading: func(iv Interval, previous float64) float64 {
		if math.IsNaN(previous) {
			return iv.Outdoor + 3
		}
		// Brick walls lag the weather by hours.
		return previous + 0.08*(iv.Outdoor+3-previous)
	}},
}

// readingEvery is how often the demo sensors report.
const readingEvery = 30 * time.Minute

// loadSensors adds the demo sensors to site and a year of their readings,
// one INSERT for all of them (the values travel as three arrays).
func loadSensors(ctx context.Context, db bun.IDB, h Household, siteID int64) (int, error) {
	ids := make([]int64, len(Sensors))
	for i, s := range Sensors {
		sensor := &models.Sensor{SiteID: &siteID, Code: s.Code, Location: s.Location}
		if _, err := db.NewInsert().Model(sensor).Exec(ctx); err != nil {
			return 0, err
		}
		ids[i] = sensor.ID
	}

	var sensorIDs []int64
	var stamps []time.Time
	var temps []float64
	lag := make([]float64, len(Sensors))
	for i := range lag {
		lag[i] = math.NaN()
	}
	err := h.Generate(func(iv Interval) error {
		for i, s := range Sensors {
			lag[i] = s.Reading(iv, lag[i])
		}
		if iv.Start.Sub(iv.Start.Truncate(readingEvery)) != 0 {
			return nil
		}
		for i := range Sensors {
			sensorIDs = append(sensorIDs, ids[i])
			stamps = append(stamps, iv.Start)
			temps = append(temps, math.Round(lag[i]*1000)/1000)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	_, err = db.NewRaw(`INSERT INTO readings (sensor_id, "timestamp", temperature)
		SELECT * FROM unnest(?::bigint[], ?::timestamptz[], ?::numeric(6,3)[])`,
		pgdialect.Array(sensorIDs), pgdialect.Array(stamps), pgdialect.Array(temps)).Exec(ctx)
	return len(temps), err
}
