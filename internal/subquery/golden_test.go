package subquery_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// renderDB renders SQL without a connection, as views are rendered.
var renderDB = bun.NewDB(nil, pgdialect.New())

// since is a fixed instant so golden files do not change with the clock.
var since = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// readings starts a subquery over the readings of the outer sensor.
func readings(db bun.IDB) *bun.SelectQuery {
	return db.NewSelect().Model((*models.Reading)(nil)).
		Where("? = ?", bun.Ident("reading.sensor_id"), subquery.OuterRef("id"))
}

// newest orders a readings subquery newest first.
func newest(q *bun.SelectQuery) *bun.SelectQuery {
	return q.OrderExpr("? DESC", bun.Ident("reading.timestamp"))
}

// readingJSON is a reading as a small JSON object.
var readingJSON = subquery.JSONBuildObject(
	subquery.KV("timestamp", bun.Ident("reading.timestamp")),
	subquery.KV("temperature", bun.Ident("reading.temperature")),
)

// sensorsWith is the outer query: every sensor with expr as column name.
func sensorsWith(db bun.IDB, name string, expr any) *bun.SelectQuery {
	return db.NewSelect().Model((*models.Sensor)(nil)).
		Column("id", "code").
		ColumnExpr("? AS ?", expr, bun.Ident(name)).
		OrderExpr("? ASC", bun.Ident("sensor.id"))
}

// exprCase is one expression, embedded in a query over sensors.
type exprCase struct {
	name   string
	column string
	expr   func(db bun.IDB) any
}

var exprCases = []exprCase{
	{"scalar", "temperature", func(db bun.IDB) any {
		return subquery.Scalar(newest(readings(db)).Column("temperature").Limit(1))
	}},
	{"scalar_json_build_object", "latest", func(db bun.IDB) any {
		return subquery.Scalar(newest(readings(db)).ColumnExpr("?", readingJSON).Limit(1))
	}},
	{"exists", "recent", func(db bun.IDB) any {
		return subquery.Exists(readings(db).Where("? >= ?", bun.Ident("reading.timestamp"), since))
	}},
	{"not_exists", "silent", func(db bun.IDB) any {
		return subquery.NotExists(readings(db).Where("? >= ?", bun.Ident("reading.timestamp"), since))
	}},
	{"array", "last_five", func(db bun.IDB) any {
		return subquery.Array(newest(readings(db)).ColumnExpr("?", readingJSON).Limit(5))
	}},
	{"json_object_agg", "last_five_by_time", func(db bun.IDB) any {
		return subquery.JSONObjectAgg(newest(readings(db)).Column("timestamp", "temperature").Limit(5))
	}},
	{"to_jsonb", "latest_row", func(db bun.IDB) any {
		return subquery.ToJSONB(newest(readings(db)).Limit(1))
	}},
	{"count", "readings", func(db bun.IDB) any {
		return subquery.Count(readings(db))
	}},
	{"aggregate_sum", "total", func(db bun.IDB) any {
		return subquery.Aggregate(subquery.Sum, readings(db).Column("temperature"))
	}},
	{"aggregate_avg", "average", func(db bun.IDB) any {
		return subquery.Aggregate(subquery.Avg, readings(db).Column("temperature"))
	}},
	{"aggregate_min", "minimum", func(db bun.IDB) any {
		return subquery.Aggregate(subquery.Min, readings(db).Column("temperature"))
	}},
	{"aggregate_max", "maximum", func(db bun.IDB) any {
		return subquery.Aggregate(subquery.Max, readings(db).Column("temperature"))
	}},
	{"aggregate_uncorrelated", "newest_anywhere", func(db bun.IDB) any {
		// No OuterRef: a plain subquery, even over the outer query's table.
		return subquery.Aggregate(subquery.Max,
			db.NewSelect().Model((*models.Reading)(nil)).Column("timestamp"))
	}},
}

// reportingCodes lists each site with the codes of its sensors that have
// readings, sorted.
func reportingCodes(db bun.IDB) *bun.SelectQuery {
	sensors := db.NewSelect().Model((*models.Sensor)(nil)).Column("code").
		Where("? = ?", bun.Ident("sensor.site_id"), subquery.OuterRef("id")).
		Where("?", subquery.Exists(readings(db))).
		OrderExpr("? ASC", bun.Ident("sensor.code"))
	return db.NewSelect().Model((*models.Site)(nil)).Column("id").
		ColumnExpr("? AS codes", subquery.Array(sensors)).
		OrderExpr("? ASC", bun.Ident("site.id"))
}

func TestGoldenSQL(t *testing.T) {
	t.Parallel()
	for _, tc := range exprCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := subquery.Render(renderDB.QueryGen(), sensorsWith(renderDB, tc.column, tc.expr(renderDB)))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
		})
	}
	t.Run("nested", func(t *testing.T) {
		// A subquery inside a subquery: each OuterRef binds to the query
		// directly around its own expression — the inner one to the sensor,
		// the middle one to the site.
		t.Parallel()
		got, err := subquery.Render(renderDB.QueryGen(), reportingCodes(renderDB))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "nested", got)
	})
	t.Run("where", func(t *testing.T) {
		// Expressions compose in Where as well as ColumnExpr.
		t.Parallel()
		q := renderDB.NewSelect().Model((*models.Sensor)(nil)).Column("code").
			Where("?", subquery.Exists(readings(renderDB))).
			Where("? > ?", subquery.Count(readings(renderDB)), 3)
		got, err := subquery.Render(renderDB.QueryGen(), q)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "where", got)
	})
	t.Run("table_expr", func(t *testing.T) {
		// In TableExpr, as a lateral derived table.
		t.Parallel()
		q := renderDB.NewSelect().Model((*models.Sensor)(nil)).Column("code").
			ColumnExpr("?", bun.Ident("latest.t")).
			TableExpr("LATERAL (SELECT ? AS t) AS latest",
				subquery.Scalar(newest(readings(renderDB)).Column("temperature").Limit(1)))
		got, err := subquery.Render(renderDB.QueryGen(), q)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "table_expr", got)
	})
}

// golden compares got with testdata/name.sql, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".sql")
	got += "\n"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("SQL differs from %s (go test -update rewrites it)\ngot:  %s\nwant: %s", path, got, want)
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	gen := renderDB.QueryGen()
	twoColumns := readings(renderDB).Column("timestamp", "temperature")
	tests := []struct {
		name string
		q    func() *bun.SelectQuery
		want string
	}{
		{"aggregate over two columns", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.Aggregate(subquery.Sum, twoColumns))
		}, "subquery: Aggregate(sum): needs a subquery with 1 column, got 2 (timestamp, temperature)"},
		{"aggregate over star", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.Aggregate(subquery.Avg, readings(renderDB).ColumnExpr("*")))
		}, "cannot count the columns of a subquery selecting *"},
		{"aggregate over all model columns", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.Aggregate(subquery.Max, readings(renderDB)))
		}, "needs a subquery with 1 column, got 4 (id, sensor_id, timestamp, temperature)"},
		{"unknown aggregate", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.Aggregate("pg_sleep", readings(renderDB).Column("id")))
		}, `Aggregate does not support "pg_sleep"`},
		{"scalar over two columns", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.Scalar(twoColumns))
		}, "subquery: Scalar: needs a subquery with 1 column, got 2"},
		{"array over two columns", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.Array(twoColumns))
		}, "subquery: Array: needs a subquery with 1 column, got 2"},
		{"object agg over one column", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.JSONObjectAgg(readings(renderDB).Column("timestamp")))
		}, "subquery: JSONObjectAgg: needs a subquery with 2 columns, got 1 (timestamp)"},
		{"outer ref outside a subquery", func() *bun.SelectQuery {
			return readings(renderDB)
		}, `subquery: OuterRef("id") is only valid inside a subquery expression`},
		{"outer query without a model", func() *bun.SelectQuery {
			return renderDB.NewSelect().TableExpr("sensors AS s").
				ColumnExpr("?", subquery.Count(readings(renderDB)))
		}, "the outer query has no model"},
		{"inner alias hides the outer one", func() *bun.SelectQuery {
			same := renderDB.NewSelect().Model((*models.Sensor)(nil)).
				Where("? = ?", bun.Ident("sensor.site_id"), subquery.OuterRef("site_id"))
			return sensorsWith(renderDB, "x", subquery.Count(same))
		}, `the subquery's table alias "sensor" hides the outer query's`},
		{"error deep inside nested expressions", func() *bun.SelectQuery {
			inner := subquery.Aggregate(subquery.Sum, twoColumns)
			return renderDB.NewSelect().Model((*models.Site)(nil)).ColumnExpr("?",
				subquery.Array(renderDB.NewSelect().Model((*models.Sensor)(nil)).ColumnExpr("?", inner)))
		}, "subquery: Array: subquery: Aggregate(sum): needs a subquery with 1 column, got 2"},
		{"zero expression", func() *bun.SelectQuery {
			return sensorsWith(renderDB, "x", subquery.Expr{})
		}, "subquery: empty expression"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sql, err := subquery.Render(gen, tc.q())
			if err == nil {
				t.Fatalf("rendered without error: %s", sql)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestRenderIgnoresMarkersInLiterals(t *testing.T) {
	t.Parallel()
	q := renderDB.NewSelect().ColumnExpr("? AS a, ? AS ?", "?!(not an error)", 1, bun.Ident(`?!(odd"name)`))
	got, err := subquery.Render(renderDB.QueryGen(), q)
	if err != nil {
		t.Fatalf("marker inside a literal taken for an error: %v", err)
	}
	want := `SELECT '?!(not an error)' AS a, 1 AS "?!(odd""name)"`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
