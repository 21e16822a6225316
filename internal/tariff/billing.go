package tariff

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/models"
)

// DateRange is a range of calendar dates, Start inclusive and End exclusive,
// as a daterange stores it.
type DateRange struct{ Start, End time.Time }

func (r DateRange) String() string { return FormatRange(r.Start, r.End) }

// Billing period lengths for [SplitPeriods].
const (
	EveryMonth   = "month"
	EveryQuarter = "quarter"
)

// SplitPeriods turns the dates from through last (both inclusive: people
// say "1 January to 31 March") into consecutive billing periods: one
// period when every is "", else one per month or quarter counted from the
// first date, the last one ending with last. A period that starts on the
// 31st keeps that day where the month has it and the month's last day
// elsewhere, so periods never skip or overlap a day.
func SplitPeriods(from, last time.Time, every string) ([]DateRange, error) {
	from, last = dateOnly(from), dateOnly(last)
	if last.Before(from) {
		return nil, fmt.Errorf("--to %s is before --from %s", last.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	end := last.AddDate(0, 0, 1)
	var months int
	switch every {
	case "":
		return []DateRange{{from, end}}, nil
	case EveryMonth:
		months = 1
	case EveryQuarter:
		months = 3
	default:
		return nil, fmt.Errorf("--every %q: use %s or %s", every, EveryMonth, EveryQuarter)
	}
	var out []DateRange
	for k := 0; ; k++ {
		start := addMonthsClamped(from, k*months)
		if !start.Before(end) {
			break
		}
		next := addMonthsClamped(from, (k+1)*months)
		if next.After(end) {
			next = end
		}
		out = append(out, DateRange{start, next})
	}
	return out, nil
}

// addMonthsClamped is anchor plus n months, on the anchor's day of the month
// or the month's last day when it is shorter (time.AddDate would roll
// 31 January + 1 month over into March).
func addMonthsClamped(anchor time.Time, n int) time.Time {
	y, m, d := anchor.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	lastDay := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, lastDay)-1)
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// OverlapError is returned by [AddBillingPeriods] when the database's
// exclusion constraint refused a period overlapping one the site already
// has.
type OverlapError struct {
	Site string
	// New is the period being added that conflicted.
	New DateRange
	// Existing is the site's period it overlaps, and ExistingTariff that
	// period's tariff; both zero if it could not be found afterwards.
	Existing       DateRange
	ExistingTariff string
}

func (e *OverlapError) Error() string {
	if e.Existing.Start.IsZero() {
		return fmt.Sprintf("billing period %s overlaps an existing billing period of site %q", e.New, e.Site)
	}
	return fmt.Sprintf("billing period %s overlaps site %q's billing period %s (tariff %q)",
		e.New, e.Site, e.Existing, e.ExistingTariff)
}

// AddBillingPeriods puts a site on a tariff for each of ranges, in one
// transaction: all are added or none. Overlaps, with each other or with the
// site's existing periods, are left to the database's exclusion constraint
// (it alone sees concurrent additions) and come back as an [*OverlapError]
// naming the conflicting period.
func AddBillingPeriods(ctx context.Context, db *bun.DB, siteID int64, siteName string, tariffID int64, ranges []DateRange) error {
	var conflict *DateRange
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i, r := range ranges {
			bp := &models.BillingPeriod{SiteID: siteID, TariffID: tariffID}
			_, err := tx.NewInsert().Model(bp).
				// Calendar dates as text: no time zone can shift them.
				Value("period", "daterange(?::date, ?::date)", r.Start.Format(time.DateOnly), r.End.Format(time.DateOnly)).
				Exec(ctx)
			if err != nil {
				if _, ok := database.IsViolation(err, database.ExclusionViolation); ok {
					conflict = &ranges[i]
				}
				return err
			}
		}
		return nil
	})
	if conflict == nil {
		if err != nil {
			return fmt.Errorf("adding billing periods: %w", err)
		}
		return nil
	}
	oe := &OverlapError{Site: siteName, New: *conflict}
	// The transaction is gone; look the other period up on its own. The new
	// periods are consecutive, so the conflict is with an existing one.
	var row struct {
		Start  time.Time `bun:"start"`
		End    time.Time `bun:"end"`
		Tariff string    `bun:"tariff"`
	}
	lookup := db.NewSelect().
		TableExpr("billing_periods AS bp").
		Join("JOIN tariffs AS t ON t.id = bp.tariff_id").
		ColumnExpr("lower(bp.period) AS start, upper(bp.period) AS ?, t.name AS tariff", bun.Ident("end")).
		Where("bp.site_id = ?", siteID).
		Where("bp.period && daterange(?::date, ?::date)", conflict.Start.Format(time.DateOnly), conflict.End.Format(time.DateOnly)).
		OrderExpr("lower(bp.period)").
		Limit(1)
	// Without it (the other period was deleted meanwhile) the error still
	// says which new period the constraint refused.
	if lookup.Scan(ctx, &row) == nil {
		oe.Existing, oe.ExistingTariff = DateRange{row.Start, row.End}, row.Tariff
	}
	return oe
}
