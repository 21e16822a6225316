package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Site is one household, usually one meter (identified by its NMI).
// Daily figures use the site's local date in TimeZone.
type Site struct {
	bun.BaseModel `bun:"table:sites,alias:site"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Name      string    `bun:"name,notnull"`
	NMI       *string   `bun:"nmi"`
	TimeZone  string    `bun:"timezone,notnull"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`

	// Overview is the site's row of the site_overview view, loaded with
	// Relation("Overview"). A relation to a view: it has no on_delete, and
	// must never get one, because a view cannot be deleted from.
	Overview *SiteOverview `bun:"rel:has-one,join:id=site_id"`
}

// Location loads the site's time zone. The database refuses unknown zone
// names, so an error here means Go's zone database lacks one PostgreSQL has.
func (s *Site) Location() (*time.Location, error) {
	return time.LoadLocation(s.TimeZone)
}
