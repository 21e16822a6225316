// Package sensors holds the sensor queries solarview runs, each one SQL
// statement however many sensors there are: the sensor_latest and
// sensor_recent views (package views) read through their models, each
// sensor with its latest reading as a typed [models.Reading], temperature
// statistics over a period for all sensors at once, and [Report], the
// combination `solarview sensors` prints.
//
// They are built from the correlated-subquery expressions of package
// subquery; the related rows they return as JSON are decoded by package
// jsonmodel, so no query needs a second round trip.
package sensors

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/jsonmodel"
	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

// Latest returns every sensor with its latest temperature and when it was
// taken (the sensor_latest view), ordered by code.
func Latest(ctx context.Context, db bun.IDB) ([]models.SensorLatest, error) {
	var rows []models.SensorLatest
	err := db.NewSelect().Model(&rows).OrderExpr("? ASC", bun.Ident("sensor_latest.code")).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the latest sensor readings: %w", err)
	}
	return rows, nil
}

// Recent returns every sensor's recent readings as JSON (the sensor_recent
// view), ordered by sensor id.
func Recent(ctx context.Context, db bun.IDB) ([]models.SensorRecent, error) {
	var rows []models.SensorRecent
	err := db.NewSelect().Model(&rows).OrderExpr("? ASC", bun.Ident("sensor_recent.sensor_id")).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading recent sensor readings: %w", err)
	}
	return rows, nil
}

// SensorWithLatestReading is a sensor with its newest reading, a whole
// [models.Reading] (nil Model when it never reported).
type SensorWithLatestReading struct {
	models.Sensor `bun:",extend"`

	Latest jsonmodel.Field[models.Reading] `bun:"latest,scanonly"`
}

// WithLatestReading returns every sensor with its latest reading, ordered by
// code, in one query: the reading comes back as to_jsonb of its row and is
// decoded into its model, where Bun's relations could only load all readings
// of every sensor.
func WithLatestReading(ctx context.Context, db bun.IDB) ([]SensorWithLatestReading, error) {
	var rows []SensorWithLatestReading
	if err := withLatestReadingQuery(db, &rows).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading sensors with their latest reading: %w", err)
	}
	return rows, nil
}

func withLatestReadingQuery(db bun.IDB, rows *[]SensorWithLatestReading) *bun.SelectQuery {
	return db.NewSelect().Model(rows).
		ColumnExpr("?TableColumns").
		ColumnExpr("? AS latest", subquery.ToJSONB(newestReadings(db, "id").Limit(1))).
		OrderExpr("? ASC", bun.Ident("sensor.code"))
}

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

// Statistics returns the minimum, average and maximum temperature and the
// number of readings of every sensor over [from, to), ordered by code, in
// one query. Sensors without readings in the period are included with no
// values.
func Statistics(ctx context.Context, db bun.IDB, from, to time.Time) ([]SensorStats, error) {
	if !from.Before(to) {
		return nil, fmt.Errorf("sensor statistics: the period %s to %s is empty", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	var rows []SensorStats
	if err := statisticsQuery(db, &rows, from, to).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading sensor statistics: %w", err)
	}
	return rows, nil
}

func statisticsQuery(db bun.IDB, rows *[]SensorStats, from, to time.Time) *bun.SelectQuery {
	q := db.NewSelect().Model(rows).ColumnExpr("?TableColumns")
	q = withStats(q, db, "id", window{from: from, to: to})
	return q.OrderExpr("? ASC", bun.Ident("sensor.code"))
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
