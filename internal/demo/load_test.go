package demo

import (
	"context"
	"io"
	"math"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestLoadFillsSummaryOnce loads the demo year and checks what the battery
// report reads: every generated interval in summary with the generator's
// totals, a tariff and twelve billing periods; then that loading again is a
// no-op.
func TestLoadFillsSummaryOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)

	var want struct {
		n             int
		gen, imp, exp float64
	}
	Adelaide.Generate(func(iv Interval) error {
		want.n++
		want.gen += iv.Generation
		want.imp += iv.Import
		want.exp += iv.Export
		return nil
	})

	loaded, err := Load(ctx, db, Adelaide, io.Discard)
	if err != nil || !loaded {
		t.Fatalf("Load = %v, %v", loaded, err)
	}
	var got struct {
		N                      int
		Gen, Imp, Exp, Consume float64
	}
	err = db.NewSelect().TableExpr("summary").
		ColumnExpr("count(*) AS n, sum(generation) AS gen, sum(import) AS imp, sum(export) AS exp, sum(consumption) AS consume").
		Scan(ctx, &got.N, &got.Gen, &got.Imp, &got.Exp, &got.Consume)
	if err != nil {
		t.Fatal(err)
	}
	if got.N != want.n {
		t.Errorf("summary has %d rows, want %d", got.N, want.n)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"generation", got.Gen, want.gen}, {"import", got.Imp, want.imp}, {"export", got.Exp, want.exp},
		{"consumption", got.Consume, want.gen + want.imp - want.exp}} {
		if math.Abs(c.got-c.want) > 0.5 {
			t.Errorf("summary %s = %.3f Wh, want %.3f", c.name, c.got, c.want)
		}
	}

	var periods int
	if err := db.NewSelect().Table("billing_periods").ColumnExpr("count(*)").Scan(ctx, &periods); err != nil {
		t.Fatal(err)
	}
	if periods != 12 {
		t.Errorf("%d billing periods, want 12", periods)
	}

	var sensors, readings int
	var hottestRoof float64
	err = db.NewSelect().TableExpr("readings AS r").Join("JOIN sensors AS s ON s.id = r.sensor_id").
		ColumnExpr("count(DISTINCT s.id), count(*)").
		ColumnExpr("max(r.temperature) FILTER (WHERE s.code = 'ROOF1')").
		Scan(ctx, &sensors, &readings, &hottestRoof)
	if err != nil {
		t.Fatal(err)
	}
	if sensors != len(Sensors) || readings != len(Sensors)*366*48 {
		t.Errorf("%d sensors with %d readings, want %d with %d", sensors, readings, len(Sensors), len(Sensors)*366*48)
	}
	if hottestRoof < 45 || hottestRoof > 80 {
		t.Errorf("the roof space peaks at %.1f °C, want a hot but plausible 45–80", hottestRoof)
	}

	loaded, err = Load(ctx, db, Adelaide, io.Discard)
	if err != nil || loaded {
		t.Fatalf("second Load = %v, %v; want a no-op", loaded, err)
	}
}
