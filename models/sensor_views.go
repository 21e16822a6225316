package models

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/jsonmodel"
)

// SensorLatest is a row of the sensor_latest view: a sensor with its latest
// temperature and when it was taken. Temperature and TakenAt are nil for a
// sensor that never reported. ReportedLastDay is whether it reported in the
// day before the query ran. Read-only.
type SensorLatest struct {
	bun.BaseModel `bun:"table:sensor_latest,alias:sensor_latest"`

	SensorID        int64      `bun:"sensor_id"`
	SiteID          *int64     `bun:"site_id"`
	Code            string     `bun:"code"`
	Location        string     `bun:"location"`
	Temperature     *string    `bun:"temperature,type:numeric(6,3)"`
	TakenAt         *time.Time `bun:"taken_at"`
	ReportedLastDay bool       `bun:"reported_last_day"`

	Sensor *Sensor `bun:"rel:belongs-to,join:sensor_id=id"`
	Site   *Site   `bun:"rel:belongs-to,join:site_id=id"`
}

// BeforeAppendModel keeps the view read-only.
func (*SensorLatest) BeforeAppendModel(_ context.Context, q bun.Query) error {
	return readOnly("sensor_latest", q)
}

// SensorRecent is a row of the sensor_recent view: a sensor's recent
// readings as JSON. Latest is the newest reading (nil Model when none);
// LastFive holds up to five readings, newest first; LastFiveByTime maps the
// same readings' UTC timestamps (RFC 3339) to temperatures and is nil when
// the sensor has no reading. Read-only.
type SensorRecent struct {
	bun.BaseModel `bun:"table:sensor_recent,alias:sensor_recent"`

	SensorID       int64                    `bun:"sensor_id"`
	Latest         jsonmodel.Field[Reading] `bun:"latest,type:jsonb"`
	LastFive       []ReadingPoint           `bun:"last_five,array,type:jsonb[]"`
	LastFiveByTime map[string]json.Number   `bun:"last_five_by_time,type:jsonb"`

	Sensor *Sensor `bun:"rel:belongs-to,join:sensor_id=id"`
}

// BeforeAppendModel keeps the view read-only.
func (*SensorRecent) BeforeAppendModel(_ context.Context, q bun.Query) error {
	return readOnly("sensor_recent", q)
}

// ReadingPoint is a reading reduced to its time and temperature, as the
// sensor views build it with jsonb_build_object. Temperature keeps the
// numeric's digits ("21.500").
type ReadingPoint struct {
	Timestamp   time.Time   `json:"timestamp"`
	Temperature json.Number `json:"temperature"`
}
