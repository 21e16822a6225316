// Package sensors holds the query behind `solarview sensors` ([Report]):
// every sensor with its site, latest reading, whether it reported in the
// last day, its last five readings and its statistics over a week, in one
// SQL statement however many sensors there are.
//
// It is built from the correlated-subquery expressions of package subquery;
// the related rows that come back as JSON are decoded by package jsonmodel,
// so no row needs a second round trip.
package sensors

import (
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

// Stats are one sensor's temperatures over a period. Min, Avg and Max are
// decimal strings (Avg rounded to three places, like the readings), nil when
// the sensor has no reading in the period.
type Stats struct {
	Count int64   `bun:"reading_count,scanonly"`
	Min   *string `bun:"min,scanonly"`
	Avg   *string `bun:"avg,scanonly"`
	Max   *string `bun:"max,scanonly"`
}

// SensorStats is a sensor with its statistics over a period.
type SensorStats struct {
	models.Sensor `bun:",extend"`
	Stats
}

// window bounds readings by timestamp: from inclusive, to exclusive. Either
// may be a time.Time or an SQL expression; nil means unbounded.
type window struct {
	from, to any
}

// readingsOf starts a subquery over the readings of the outer query's
// sensor, whose id is the outer column sensorID.
func readingsOf(db bun.IDB, sensorID string) *bun.SelectQuery {
	return db.NewSelect().Model((*models.Reading)(nil)).
		Where("? = ?", bun.Ident("reading.sensor_id"), subquery.OuterRef(sensorID))
}

// newestReadings orders readingsOf newest first.
func newestReadings(db bun.IDB, sensorID string) *bun.SelectQuery {
	return readingsOf(db, sensorID).OrderExpr("? DESC", bun.Ident("reading.timestamp"))
}

// withStats adds the Stats columns over w to q, whose sensor id column is
// sensorID.
func withStats(q *bun.SelectQuery, db bun.IDB, sensorID string, w window) *bun.SelectQuery {
	temps := func() *bun.SelectQuery {
		r := readingsOf(db, sensorID).Column("temperature")
		if w.from != nil {
			r = r.Where("? >= ?", bun.Ident("reading.timestamp"), w.from)
		}
		if w.to != nil {
			r = r.Where("? < ?", bun.Ident("reading.timestamp"), w.to)
		}
		return r
	}
	return q.
		ColumnExpr("? AS reading_count", subquery.Count(temps())).
		ColumnExpr("? AS min", subquery.Aggregate(subquery.Min, temps())).
		ColumnExpr("round(?, 3) AS avg", subquery.Aggregate(subquery.Avg, temps())).
		ColumnExpr("? AS max", subquery.Aggregate(subquery.Max, temps()))
}
