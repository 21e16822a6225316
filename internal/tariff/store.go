package tariff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/models"
)

// ExistsError is returned by [SaveTariff] for a tariff name already taken.
type ExistsError struct{ Name string }

func (e *ExistsError) Error() string { return fmt.Sprintf("a tariff named %q already exists", e.Name) }

// SaveTariff validates t and stores it with its components in one
// transaction, creating its retailer if needed. Components must be of types
// reg knows, or they could be stored but never loaded again. On success the
// tariff and component IDs are filled in.
func SaveTariff(ctx context.Context, db *bun.DB, reg *Registry, t *Tariff) error {
	t.Name, t.Retailer = strings.TrimSpace(t.Name), strings.TrimSpace(t.Retailer)
	if t.Name == "" {
		return errors.New("a tariff needs a name")
	}
	if t.Retailer == "" {
		return fmt.Errorf("tariff %q needs a retailer", t.Name)
	}
	if err := t.Validate(); err != nil {
		return err
	}
	for _, c := range t.Components {
		if _, ok := reg.ModelOf(c); !ok {
			return fmt.Errorf("tariff %q: component type %T is not registered", t.Name, c)
		}
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var retailerID int64
		// DO UPDATE (a no-op change) rather than DO NOTHING, so RETURNING
		// gives the id of an existing retailer too.
		err := tx.NewRaw("INSERT INTO retailers (name) VALUES (?) "+
			"ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id", t.Retailer).
			Scan(ctx, &retailerID)
		if err != nil {
			return fmt.Errorf("adding retailer %q: %w", t.Retailer, err)
		}
		row := &models.Tariff{RetailerID: retailerID, Name: t.Name}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if c, ok := database.IsViolation(err, database.UniqueViolation); ok && c == "tariffs_name_key" {
				return &ExistsError{Name: t.Name}
			}
			return fmt.Errorf("adding tariff %q: %w", t.Name, err)
		}
		t.ID = row.ID
		for _, c := range t.Components {
			c.ComponentBase().TariffID = row.ID
			if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
				return fmt.Errorf("adding %s to tariff %q: %w", c.Describe(), t.Name, err)
			}
		}
		return nil
	})
}

// LoadTariffs loads tariffs with their retailers and components: every
// tariff when ids is empty. Components come from the tariff_components
// view in one query for all tariffs, ordered by model and id, and are
// rebuilt through reg. Tariffs are returned by name.
func LoadTariffs(ctx context.Context, db bun.IDB, reg *Registry, ids ...int64) ([]*Tariff, error) {
	var rows []models.Tariff
	q := db.NewSelect().Model(&rows).Relation("Retailer").Order("tariff.name")
	if len(ids) > 0 {
		q = q.Where("tariff.id IN (?)", bun.List(ids))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading tariffs: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	byID := make(map[int64]*Tariff, len(rows))
	out := make([]*Tariff, 0, len(rows))
	tariffIDs := make([]int64, 0, len(rows))
	for _, r := range rows {
		t := &Tariff{ID: r.ID, Name: r.Name}
		if r.Retailer != nil {
			t.Retailer = r.Retailer.Name
		}
		byID[r.ID] = t
		out = append(out, t)
		tariffIDs = append(tariffIDs, r.ID)
	}
	var comps []models.TariffComponentRow
	err := db.NewSelect().Model(&comps).
		Where("tariff_component.tariff_id IN (?)", bun.List(tariffIDs)).
		Order("tariff_component.tariff_id", "tariff_component.model", "tariff_component.id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading tariff components: %w", err)
	}
	for i := range comps {
		c, err := reg.DecodeRow(&comps[i])
		if err != nil {
			return nil, err
		}
		t := byID[comps[i].TariffID]
		t.Components = append(t.Components, c)
	}
	return out, nil
}

// LoadTariff loads one tariff by name.
func LoadTariff(ctx context.Context, db bun.IDB, reg *Registry, name string) (*Tariff, error) {
	var id int64
	err := db.NewSelect().Model((*models.Tariff)(nil)).Column("id").Where("name = ?", name).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &names.NotFoundError{Kind: "tariff", Name: name, Known: tariffNames(ctx, db),
			Hint: "add one with `solarview tariff add NAME --retailer R …`"}
	}
	if err != nil {
		return nil, fmt.Errorf("loading tariff %q: %w", name, err)
	}
	ts, err := LoadTariffs(ctx, db, reg, id)
	if err != nil {
		return nil, err
	}
	return ts[0], nil
}

// tariffNames lists every tariff's name, for "did you mean" help; errors
// give none.
func tariffNames(ctx context.Context, db bun.IDB) []string {
	var out []string
	_ = db.NewSelect().Model((*models.Tariff)(nil)).Column("name").Order("name").Scan(ctx, &out)
	return out
}

// NoBillingPeriodsError is LoadPricer's refusal of a site without billing
// periods, so that a report can say first what else the site lacks.
type NoBillingPeriodsError struct{ Site string }

func (e *NoBillingPeriodsError) Error() string {
	return fmt.Sprintf("site %q has no billing periods: add them with `solarview billing add`", e.Site)
}

// LoadPricer builds the pricer for site: its billing periods, in its time
// zone, with their tariffs and components, and the site's public holidays
// when a tariff prices them. Three queries (four with holidays) whatever
// the number of periods and tariffs.
func LoadPricer(ctx context.Context, db bun.IDB, reg *Registry, site *models.Site) (*Pricer, error) {
	loc, err := site.Location()
	if err != nil {
		return nil, fmt.Errorf("site %q: time zone %q: %w", site.Name, site.TimeZone, err)
	}
	periods, err := ListBillingPeriods(ctx, db, site.ID)
	if err != nil {
		return nil, err
	}
	if len(periods) == 0 {
		return nil, &NoBillingPeriodsError{Site: site.Name}
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, p := range periods {
		if !seen[p.TariffID] {
			seen[p.TariffID] = true
			ids = append(ids, p.TariffID)
		}
	}
	tariffs, err := LoadTariffs(ctx, db, reg, ids...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*Tariff, len(tariffs))
	for _, t := range tariffs {
		byID[t.ID] = t
	}
	// The holiday calendar is read only when a tariff prices holidays.
	var holidays *Holidays
	for _, t := range tariffs {
		if t.UsesHolidays() {
			if holidays, err = LoadHolidays(ctx, db, site.TimeZone); err != nil {
				return nil, err
			}
			break
		}
	}
	ps := make([]Period, len(periods))
	for i, p := range periods {
		ps[i] = Period{ID: p.ID, Start: p.Start, End: p.End, Tariff: byID[p.TariffID], Holidays: holidays}
	}
	return NewPricer(loc, ps)
}

// BillingPeriodRow is a billing period as listed: names included, dates as
// calendar dates (End exclusive).
type BillingPeriodRow struct {
	ID       int64     `bun:"id"`
	SiteID   int64     `bun:"site_id"`
	Site     string    `bun:"site"`
	TariffID int64     `bun:"tariff_id"`
	Tariff   string    `bun:"tariff"`
	Start    time.Time `bun:"start"`
	End      time.Time `bun:"end"`
}

// ListBillingPeriods lists billing periods by site name and date, of one
// site when siteID is given (non-zero), else of all.
func ListBillingPeriods(ctx context.Context, db bun.IDB, siteID int64) ([]BillingPeriodRow, error) {
	var rows []BillingPeriodRow
	q := db.NewSelect().
		TableExpr("billing_periods AS bp").
		Join("JOIN sites AS s ON s.id = bp.site_id").
		Join("JOIN tariffs AS t ON t.id = bp.tariff_id").
		ColumnExpr("bp.id, bp.site_id, s.name AS site, bp.tariff_id, t.name AS tariff").
		ColumnExpr("lower(bp.period) AS start, upper(bp.period) AS ?", bun.Ident("end")).
		OrderExpr("s.name, lower(bp.period)")
	if siteID != 0 {
		q = q.Where("bp.site_id = ?", siteID)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("listing billing periods: %w", err)
	}
	return rows, nil
}
