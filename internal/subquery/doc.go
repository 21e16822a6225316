// Package subquery gives Bun queries the correlated-subquery expressions that
// let one statement do the work of many: a sensor list with each sensor's
// latest reading, its last five readings as JSON, whether it reported
// recently, and statistics over a period, all in a single round trip.
//
// Every expression implements Bun's [schema.QueryAppender], so it goes
// wherever Bun accepts a `?` argument — ColumnExpr, Where, TableExpr, OrderExpr:
//
//	latest := db.NewSelect().Model((*models.Reading)(nil)).
//		Column("temperature").
//		Where("? = ?", bun.Ident("reading.sensor_id"), subquery.OuterRef("id")).
//		OrderExpr("? DESC", bun.Ident("reading.timestamp")).
//		Limit(1)
//	db.NewSelect().Model(&sensors).
//		ColumnExpr("sensor.*").
//		ColumnExpr("? AS temperature", subquery.Scalar(latest))
//
// [OuterRef] names a column of the outer query the way Django's OuterRef does:
// it is resolved only when the enclosing expression is rendered, to the
// outer query's table alias, so the inner query can be built before (and
// independently of) the query it will be correlated with.
//
// The expressions are [Scalar], [Exists], [NotExists], [Array],
// [JSONObjectAgg], [ToJSONB], [Count] and [Aggregate] (SUM, AVG, MIN, MAX),
// plus [JSONBuildObject] to shape rows into JSON objects. Identifiers and
// literals are always written by Bun's quoting functions; nothing is pasted
// into SQL text.
//
// # Errors
//
// Mistakes such as a two-column subquery given to [Aggregate] are reported
// when the expression is rendered. Bun, however, does not propagate errors
// from a `?` argument: it writes them into the SQL as `?!(message)`, which
// PostgreSQL then rejects with an unhelpful syntax error. [Render] renders any
// query and returns such embedded errors as Go errors; use it in tests (and
// wherever SQL is rendered without being run, as for views) to catch them
// with their message intact. The expressions themselves also convert errors
// embedded in their inner query, so an error deep inside nested subqueries
// surfaces at the outermost expression.
package subquery
