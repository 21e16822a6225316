package sites

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/models"
)

// addHint tells a user with no sites how to make one.
const addHint = "add one with `solarview site add NAME`"

// Find loads the site named name. A name that matches none is a
// *names.NotFoundError, which suggests the closest existing name.
func Find(ctx context.Context, db bun.IDB, name string) (*models.Site, error) {
	site := new(models.Site)
	err := db.NewSelect().Model(site).Where("? = ?", bun.Ident("site.name"), name).Scan(ctx)
	if err == nil {
		return site, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("loading site %q: %w", name, err)
	}
	known, err := Names(ctx, db)
	if err != nil {
		return nil, err
	}
	return nil, &names.NotFoundError{Kind: "site", Name: name, Known: known, Hint: addHint}
}

// Choose loads the site a command was asked about: the one named name, or,
// when name is empty, the only site there is. With several sites and no
// name it asks for one, listing them.
func Choose(ctx context.Context, db bun.IDB, name string) (*models.Site, error) {
	if name = strings.TrimSpace(name); name != "" {
		return Find(ctx, db, name)
	}
	var all []models.Site
	if err := db.NewSelect().Model(&all).OrderExpr("? ASC", bun.Ident("site.name")).Limit(2).Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing sites: %w", err)
	}
	switch len(all) {
	case 0:
		return nil, errors.New("there are no sites yet: " + addHint + " and import its data")
	case 1:
		return &all[0], nil
	}
	known, err := Names(ctx, db)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("there are %d sites (%s): choose one with --site", len(known), names.List(known))
}

// Names lists every site's name, in order.
func Names(ctx context.Context, db bun.IDB) ([]string, error) {
	var out []string
	err := db.NewSelect().Model((*models.Site)(nil)).Column("name").
		OrderExpr("? ASC", bun.Ident("site.name")).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("listing sites: %w", err)
	}
	return out, nil
}

// Add stores a new site, filling in its ID. A name or NMI already taken
// comes back as a one-line error that says so.
func Add(ctx context.Context, db bun.IDB, site *models.Site) error {
	_, err := db.NewInsert().Model(site).Returning("id").Exec(ctx)
	if err == nil {
		return nil
	}
	switch constraint, _ := database.IsViolation(err, database.UniqueViolation); constraint {
	case "sites_name_key":
		return fmt.Errorf("a site named %q already exists", site.Name)
	case "sites_nmi_key":
		return fmt.Errorf("a site with NMI %q already exists", *site.NMI)
	}
	if _, ok := database.IsViolation(err, database.CheckViolation); ok {
		return fmt.Errorf("site %q refused by the database: %v", site.Name, err)
	}
	return fmt.Errorf("adding site %q: %w", site.Name, err)
}
