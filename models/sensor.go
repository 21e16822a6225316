package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Sensor is a temperature sensor, optionally at a site. Location and code are
// each unique.
type Sensor struct {
	bun.BaseModel `bun:"table:sensors,alias:sensor"`

	ID       int64  `bun:"id,pk,autoincrement"`
	SiteID   *int64 `bun:"site_id"`
	Location string `bun:"location,notnull"`
	Code     string `bun:"code,notnull"`

	Site     *Site      `bun:"rel:belongs-to,join:site_id=id"`
	Readings []*Reading `bun:"rel:has-many,join:id=sensor_id"`
}

// Reading is one temperature, unique per sensor and timestamp.
// Temperature is numeric(6,3) in the database; it is kept as a decimal string
// so that no digit is lost on the way through Go.
type Reading struct {
	bun.BaseModel `bun:"table:readings,alias:reading"`

	ID          int64     `bun:"id,pk,autoincrement"`
	SensorID    int64     `bun:"sensor_id,notnull"`
	Timestamp   time.Time `bun:"timestamp,notnull"`
	Temperature string    `bun:"temperature,type:numeric(6,3),notnull"`

	Sensor *Sensor `bun:"rel:belongs-to,join:sensor_id=id"`
}
