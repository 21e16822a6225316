package views

import (
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

// The sensor views give every sensor its recent readings in one row, using
// correlated subqueries (the seed "Subquery and Subclasses"): each subquery
// is an index probe on readings (sensor_id, timestamp), so a sensor list
// never turns into one query per sensor.
//
// sensor_latest has typed columns: the latest temperature and when it was
// taken (NULL for a sensor that never reported), and whether the sensor
// reported within the last day of the time the view is queried (now()).
//
// sensor_recent has the same facts as JSON, for clients that want whole
// readings: the latest reading as its table row (to_jsonb, decodable into
// models.Reading), the last five readings newest first as an array of
// {timestamp, temperature} objects, and the same five as one object keyed by
// timestamp in UTC (RFC 3339, so keys sort chronologically and do not depend
// on the session's TimeZone).
func init() {
	Register(View{Name: "sensor_latest", Query: sensorLatest, Model: (*models.SensorLatest)(nil)})
	Register(View{Name: "sensor_recent", Query: sensorRecent, Model: (*models.SensorRecent)(nil)})
}

// readingsOfSensor starts a subquery over the readings of the outer sensor.
func readingsOfSensor(db *bun.DB) *bun.SelectQuery {
	return db.NewSelect().Model((*models.Reading)(nil)).
		Where("? = ?", bun.Ident("reading.sensor_id"), subquery.OuterRef("id"))
}

// newestReadings orders a readings subquery newest first.
func newestReadings(db *bun.DB) *bun.SelectQuery {
	return readingsOfSensor(db).OrderExpr("? DESC", bun.Ident("reading.timestamp"))
}

func sensorLatest(db *bun.DB) *bun.SelectQuery {
	reportedLastDay := readingsOfSensor(db).
		ColumnExpr("1").
		Where("? >= now() - ?::interval", bun.Ident("reading.timestamp"), "1 day")
	return db.NewSelect().Model((*models.Sensor)(nil)).
		ColumnExpr("? AS sensor_id", bun.Ident("sensor.id")).
		Column("site_id", "code", "location").
		ColumnExpr("? AS temperature", subquery.Scalar(newestReadings(db).Column("temperature").Limit(1))).
		ColumnExpr("? AS taken_at", subquery.Scalar(newestReadings(db).Column("timestamp").Limit(1))).
		ColumnExpr("? AS reported_last_day", subquery.Exists(reportedLastDay))
}

func sensorRecent(db *bun.DB) *bun.SelectQuery {
	utcKey := bun.SafeQuery("to_char(? AT TIME ZONE ?, ?)",
		bun.Ident("reading.timestamp"), "UTC", `YYYY-MM-DD"T"HH24:MI:SS"Z"`)
	point := subquery.JSONBuildObject(
		subquery.KV("timestamp", bun.Ident("reading.timestamp")),
		subquery.KV("temperature", bun.Ident("reading.temperature")),
	)
	return db.NewSelect().Model((*models.Sensor)(nil)).
		ColumnExpr("? AS sensor_id", bun.Ident("sensor.id")).
		ColumnExpr("? AS latest", subquery.ToJSONB(newestReadings(db).Limit(1))).
		ColumnExpr("? AS last_five", subquery.Array(newestReadings(db).ColumnExpr("?", point).Limit(5))).
		ColumnExpr("? AS last_five_by_time", subquery.JSONObjectAgg(
			newestReadings(db).ColumnExpr("?", utcKey).Column("temperature").Limit(5)))
}
