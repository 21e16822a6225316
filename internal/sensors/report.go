package sensors

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

// StatsDays is how many days of data [Report]'s statistics cover.
const StatsDays = 7

// ReportRow is one sensor as `solarview sensors` shows it: the
// sensor_latest view's row with its Site loaded (nil when it has none), its
// last five temperatures newest first, and statistics over the [StatsDays]
// days up to the newest reading of any sensor.
type ReportRow struct {
	models.SensorLatest `bun:",extend"`

	LastFive []string `bun:"last_five,array,scanonly"`
	Stats

	// StatsFrom starts the statistics period, the same for every row (nil
	// when there are no readings at all).
	StatsFrom *time.Time `bun:"stats_from,scanonly"`
}

// Report loads every sensor for `solarview sensors`, ordered by code, in one
// statement. The statistics period ends with the newest reading of any
// sensor rather than now, so a database of past data (such as the demo's)
// still shows its last week; sensor_latest's ReportedLastDay tells whether
// data is current.
func Report(ctx context.Context, db bun.IDB) ([]ReportRow, error) {
	var rows []ReportRow
	if err := reportQuery(db, &rows).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading the sensor report: %w", err)
	}
	return rows, nil
}

func reportQuery(db bun.IDB, rows *[]ReportRow) *bun.SelectQuery {
	newest := subquery.Aggregate(subquery.Max,
		db.NewSelect().Model((*models.Reading)(nil)).Column("timestamp"))
	from := bun.SafeQuery("? - ?::interval", newest, fmt.Sprintf("%d days", StatsDays))

	q := db.NewSelect().Model(rows).
		ColumnExpr("?TableColumns").
		Relation("Site", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Column("name", "timezone")
		}).
		ColumnExpr("? AS last_five", subquery.Array(
			newestReadings(db, "sensor_id").Column("temperature").Limit(5))).
		ColumnExpr("? AS stats_from", from)
	q = withStats(q, db, "sensor_id", window{from: from})
	return q.OrderExpr("? ASC", bun.Ident("sensor_latest.code"))
}
