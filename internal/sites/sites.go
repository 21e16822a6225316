// Package sites owns the site — a household, usually one meter: every
// command and package that looks a site up by name ([Find], [Choose]) or
// adds one ([Add]) does it here, so a mistyped name is answered the same way
// everywhere (see package names).
//
// It also holds the queries that load sites together with related rows in
// one statement: the site_overview view through the Site.Overview relation
// ([WithOverview]), and each site's current billing period, rebuilt from
// to_jsonb by package jsonmodel ([WithCurrentBillingPeriod]).
package sites

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/jsonmodel"
	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

// WithOverview returns every site, ordered by name, with its Overview (the
// site_overview view) loaded by the same query: Bun joins the view like a
// table through the has-one relation.
func WithOverview(ctx context.Context, db bun.IDB) ([]models.Site, error) {
	var sites []models.Site
	err := db.NewSelect().Model(&sites).
		Relation("Overview").
		OrderExpr("? ASC", bun.Ident("site.name")).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading sites with their overview: %w", err)
	}
	return sites, nil
}

// SiteWithBillingPeriod is a site with the billing period it is in; a nil
// Model when none covers the day.
type SiteWithBillingPeriod struct {
	models.Site `bun:",extend"`

	BillingPeriod jsonmodel.Field[models.BillingPeriod] `bun:"billing_period,scanonly"`
}

// WithCurrentBillingPeriod returns every site, ordered by name, with the
// billing period that contains the site's local date at the instant at —
// each site in its own time zone, so a Perth and a Sydney site can be in
// different periods at the same instant. One query: the period comes back as
// to_jsonb of its row and is decoded into models.BillingPeriod.
func WithCurrentBillingPeriod(ctx context.Context, db bun.IDB, at time.Time) ([]SiteWithBillingPeriod, error) {
	var sites []SiteWithBillingPeriod
	if err := currentBillingPeriodQuery(db, &sites, at).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading sites with their current billing period: %w", err)
	}
	return sites, nil
}

func currentBillingPeriodQuery(db bun.IDB, sites *[]SiteWithBillingPeriod, at time.Time) *bun.SelectQuery {
	// Billing periods do not overlap for a site (an exclusion constraint),
	// so at most one row matches; LIMIT 1 only makes that explicit.
	period := db.NewSelect().Model((*models.BillingPeriod)(nil)).
		Where("? = ?", bun.Ident("billing_period.site_id"), subquery.OuterRef("id")).
		Where("? @> (?::timestamptz AT TIME ZONE ?)::date",
			bun.Ident("billing_period.period"), at, subquery.OuterRef("timezone")).
		Limit(1)
	return db.NewSelect().Model(sites).
		ColumnExpr("?TableColumns").
		ColumnExpr("? AS billing_period", subquery.ToJSONB(period)).
		OrderExpr("? ASC", bun.Ident("site.name"))
}
