package models

import (
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Retailer sells electricity under one or more tariffs.
type Retailer struct {
	bun.BaseModel `bun:"table:retailers,alias:retailer"`

	ID   int64  `bun:"id,pk,autoincrement"`
	Name string `bun:"name,notnull"`
}

// Tariff names a retailer's plan. Its prices are its components.
type Tariff struct {
	bun.BaseModel `bun:"table:tariffs,alias:tariff"`

	ID         int64     `bun:"id,pk,autoincrement"`
	RetailerID int64     `bun:"retailer_id,notnull"`
	Name       string    `bun:"name,notnull"`
	CreatedAt  time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`

	Retailer *Retailer `bun:"rel:belongs-to,join:retailer_id=id"`
}

// BillingPeriod puts a site on a tariff for a range of local dates, lower
// bound inclusive and upper bound exclusive. The database refuses overlapping
// periods for one site.
type BillingPeriod struct {
	bun.BaseModel `bun:"table:billing_periods,alias:billing_period"`

	ID       int64                      `bun:"id,pk,autoincrement"`
	SiteID   int64                      `bun:"site_id,notnull"`
	TariffID int64                      `bun:"tariff_id,notnull"`
	Period   pgdialect.Range[time.Time] `bun:"period,type:daterange,notnull"`

	Site   *Site   `bun:"rel:belongs-to,join:site_id=id"`
	Tariff *Tariff `bun:"rel:belongs-to,join:tariff_id=id"`
}
