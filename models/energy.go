package models

import (
	"time"

	"github.com/uptrace/bun"
)

// EnergyDay is a row of energy_days, where interval energy is stored: a
// site's values of one kind (generation, import, export) and channel over
// one NEM day (UTC+10). Energy[n] is the Wh of the interval starting at
// Start + n·Step (nil: no reading). Quality holds one NEM12 quality flag per
// element, or is empty when all are actual (A). UpdatedAt is the meter data
// provider's update time of the values, when the file gave one. The views
// meter_intervals and generation show the rows one interval at a time.
type EnergyDay struct {
	bun.BaseModel `bun:"table:energy_days,alias:energy_day"`

	SiteID    int64      `bun:"site_id,pk"`
	Kind      string     `bun:"kind,pk"`
	Start     time.Time  `bun:"start,pk"`
	Channel   string     `bun:"channel,pk"`
	Step      Interval   `bun:"step,pk,type:interval"`
	Energy    []*float64 `bun:"energy,array,notnull"`
	Quality   *string    `bun:"quality"`
	UpdatedAt *time.Time `bun:"updated_at"`
}

// Generation is the PV energy (Wh) generated at a site in the interval that
// starts at Timestamp: a row of the generation view over energy_days. An
// INSERT through it stores a 5-minute interval (migration
// 20261127120002_interval_inserts).
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
// V variable (mixed within the day). UpdatedAt is the provider's update time
// (NEM12 UpdateDateTime), nil when unknown. It is a row of the meter_intervals
// view over energy_days; an INSERT through it stores the interval in its
// energy_days row, and fails if the instant already has a value.
type MeterInterval struct {
	bun.BaseModel `bun:"table:meter_intervals,alias:meter_interval"`

	SiteID    int64      `bun:"site_id,pk"`
	Channel   string     `bun:"channel,pk"`
	Direction string     `bun:"direction,notnull"`
	Timestamp time.Time  `bun:"timestamp,pk"`
	Duration  Interval   `bun:"duration,type:interval,notnull"`
	Energy    float64    `bun:"energy,notnull"`
	Quality   string     `bun:"quality,notnull"`
	UpdatedAt *time.Time `bun:"updated_at"`
}
