package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// SiteOverview is a row of the site_overview view: the codes of a site's
// sensors (sorted, empty when none) and the first and last timestamps of its
// energy data (nil before any data). Site.Overview reaches it through a
// has-one relation, so a site and its overview load in one query:
//
//	db.NewSelect().Model(&sites).Relation("Overview").Scan(ctx)
//
// Read-only: the relation joins it like a table, but nothing may insert,
// update or delete through it.
type SiteOverview struct {
	bun.BaseModel `bun:"table:site_overview,alias:site_overview"`

	SiteID      int64      `bun:"site_id"`
	SensorCodes []string   `bun:"sensor_codes,array"`
	FirstDataAt *time.Time `bun:"first_data_at"`
	LastDataAt  *time.Time `bun:"last_data_at"`
}

// BeforeAppendModel keeps the view read-only.
func (*SiteOverview) BeforeAppendModel(_ context.Context, q bun.Query) error {
	return readOnly("site_overview", q)
}
