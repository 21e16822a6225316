package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Generation is the PV energy (Wh) generated at a site in the interval that
// starts at Timestamp.
type Generation struct {
	bun.BaseModel `bun:"table:generation,alias:generation"`

	SiteID    int64     `bun:"site_id,pk"`
	Timestamp time.Time `bun:"timestamp,pk"`
	Energy    float64   `bun:"energy,notnull"`
}

// ImportCumulative is a reading of a site's cumulative import register (Wh).
// The import view turns consecutive readings into interval energy.
type ImportCumulative struct {
	bun.BaseModel `bun:"table:import_cumulative,alias:import_cumulative"`

	SiteID    int64     `bun:"site_id,pk"`
	Timestamp time.Time `bun:"timestamp,pk"`
	Energy    float64   `bun:"energy,notnull"`
}

// ExportCumulative is a reading of a site's cumulative export register (Wh).
type ExportCumulative struct {
	bun.BaseModel `bun:"table:export_cumulative,alias:export_cumulative"`

	SiteID    int64     `bun:"site_id,pk"`
	Timestamp time.Time `bun:"timestamp,pk"`
	Energy    float64   `bun:"energy,notnull"`
}

// Directions of energy through the meter, as stored in MeterInterval.Direction.
const (
	DirectionImport = "import"
	DirectionExport = "export"
)

// MeterInterval is energy a meter measured on one channel over one interval,
// as NEM12 files and interval CSVs report it. Quality is the NEM12 quality
// flag: A actual, S substituted, F final substituted, E estimated, N null,
// V variable (mixed within the day).
type MeterInterval struct {
	bun.BaseModel `bun:"table:meter_intervals,alias:meter_interval"`

	SiteID    int64     `bun:"site_id,pk"`
	Channel   string    `bun:"channel,pk"`
	Direction string    `bun:"direction,notnull"`
	Timestamp time.Time `bun:"timestamp,pk"`
	Duration  Interval  `bun:"duration,type:interval,notnull"`
	Energy    float64   `bun:"energy,notnull"`
	Quality   string    `bun:"quality,notnull"`
}
