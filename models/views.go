package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The models below sit in front of the views registered in package views
// (Django's `managed = False`): Bun can select from them, and every other
// query on them is refused before it reaches PostgreSQL, because a view
// cannot take inserts or deletes. They declare only belongs-to relations, to
// Site: a relation from a table to a view must never cascade a delete into it.

// readOnly refuses every query but SELECT on a view model.
func readOnly(view string, q bun.Query) error {
	if _, ok := q.(*bun.SelectQuery); ok {
		return nil
	}
	return fmt.Errorf("models: %s is a read-only view; %s is not allowed", view, q.Operation())
}

// ImportEnergy is a row of the import view: grid energy imported by a site
// (Wh) in the interval starting at Timestamp. Energy is nil when the meter
// register was reset during the interval, so its energy is unknown.
type ImportEnergy struct {
	bun.BaseModel `bun:"table:import,alias:import"`

	SiteID    int64     `bun:"site_id"`
	Timestamp time.Time `bun:"timestamp"`
	Energy    *float64  `bun:"energy"`

	Site *Site `bun:"rel:belongs-to,join:site_id=id"`
}

// BeforeAppendModel keeps the view read-only.
func (*ImportEnergy) BeforeAppendModel(_ context.Context, q bun.Query) error {
	return readOnly("import", q)
}

// ExportEnergy is a row of the export view: energy a site exported to the
// grid (Wh) in the interval starting at Timestamp; nil when unknown.
type ExportEnergy struct {
	bun.BaseModel `bun:"table:export,alias:export"`

	SiteID    int64     `bun:"site_id"`
	Timestamp time.Time `bun:"timestamp"`
	Energy    *float64  `bun:"energy"`

	Site *Site `bun:"rel:belongs-to,join:site_id=id"`
}

// BeforeAppendModel keeps the view read-only.
func (*ExportEnergy) BeforeAppendModel(_ context.Context, q bun.Query) error {
	return readOnly("export", q)
}

// Summary is a row of the summary view: a site's energy flows (Wh) in the
// interval starting at Timestamp. A nil field is unknown: the site records
// no data of that kind, or a register was reset; Consumption is nil whenever
// any of generation, import and export is. ControlledLoad is the part of
// Import on controlled-load channels, nil at a site that has none.
type Summary struct {
	bun.BaseModel `bun:"table:summary,alias:summary"`

	SiteID         int64     `bun:"site_id"`
	Timestamp      time.Time `bun:"timestamp"`
	Generation     *float64  `bun:"generation"`
	Import         *float64  `bun:"import"`
	Export         *float64  `bun:"export"`
	Consumption    *float64  `bun:"consumption"`
	ControlledLoad *float64  `bun:"controlled_load"`

	Site *Site `bun:"rel:belongs-to,join:site_id=id"`
}

// BeforeAppendModel keeps the view read-only.
func (*Summary) BeforeAppendModel(_ context.Context, q bun.Query) error {
	return readOnly("summary", q)
}

// DailySummary is a row of the daily_summary view: the summary's flows (Wh)
// summed over one local date of the site (in its own time zone). Date is
// midnight UTC of that date, as PostgreSQL's date type scans.
type DailySummary struct {
	bun.BaseModel `bun:"table:daily_summary,alias:daily_summary"`

	SiteID         int64     `bun:"site_id"`
	Date           time.Time `bun:"date,type:date"`
	Generation     *float64  `bun:"generation"`
	Import         *float64  `bun:"import"`
	Export         *float64  `bun:"export"`
	Consumption    *float64  `bun:"consumption"`
	ControlledLoad *float64  `bun:"controlled_load"`

	Site *Site `bun:"rel:belongs-to,join:site_id=id"`
}

// BeforeAppendModel keeps the view read-only.
func (*DailySummary) BeforeAppendModel(_ context.Context, q bun.Query) error {
	return readOnly("daily_summary", q)
}
