// Command benchcheck is the solarview command with extra generated views
// registered, so that `solarview check` can be timed on a project far larger
// than solarview's own. It exists for BenchmarkCheckProcess in package
// viewmig; nobody ships it.
//
//	BENCHCHECK_VIEWS=500 benchcheck generate DIR   # DIR: migrations creating every view
//	BENCHCHECK_VIEWS=500 benchcheck check --dir DIR
//
// Every 10th generated view reads the previous one, so the views form
// dependency chains as real projects' do.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/commands"
	"github.com/solarview/solarview/internal/viewmig"
	"github.com/solarview/solarview/migrations"
	"github.com/solarview/solarview/views"
)

func main() {
	n, _ := strconv.Atoi(os.Getenv("BENCHCHECK_VIEWS"))
	for i := 0; i < n; i++ {
		views.Register(generated(i))
	}
	if len(os.Args) == 3 && os.Args[1] == "generate" {
		if err := generate(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "benchcheck:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(commands.Main(context.Background(), os.Args, os.Stdout, os.Stderr))
}

// generated is a view about as complex as solarview's own: a CTE, an
// aggregate, a window function, a CASE and a join.
func generated(i int) views.View {
	name := fmt.Sprintf("bench_view_%03d", i)
	return views.View{Name: name, Query: func(db *bun.DB) *bun.SelectQuery {
		ts := bun.Ident("timestamp")
		source := db.NewSelect().TableExpr("meter_intervals AS m").
			ColumnExpr("m.site_id").ColumnExpr("m.?", ts).
			ColumnExpr("sum(m.energy) AS energy").
			Where("m.direction = ?", "import").Where("m.energy > ?", i).
			GroupExpr("m.site_id, m.?", ts)
		q := db.NewSelect().With("source", source).TableExpr("source AS s").
			Join("JOIN sites AS site ON site.id = s.site_id").
			ColumnExpr("s.site_id").ColumnExpr("s.?", ts).
			ColumnExpr("s.energy - lag(s.energy) OVER (PARTITION BY s.site_id ORDER BY s.?) AS delta", ts).
			ColumnExpr("CASE WHEN s.energy > ? THEN 'high' ELSE 'low' END AS band", i*10).
			ColumnExpr("(s.? AT TIME ZONE site.timezone)::date AS date", ts)
		if i%10 != 0 {
			prev := bun.Ident(fmt.Sprintf("bench_view_%03d", i-1))
			q = q.Where("EXISTS (SELECT 1 FROM ? AS p WHERE p.site_id = s.site_id)", prev)
		}
		return q
	}}
}

// generate writes the project's migrations plus one creating every
// registered view, in dependency order, to dir.
func generate(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	defs, err := viewmig.FromViews(views.All())
	if err != nil {
		return err
	}
	var names []string
	byName := map[string]*viewmig.Definition{}
	for _, d := range defs {
		names = append(names, d.Name)
		byName[d.Name] = d
	}
	var up strings.Builder
	for _, name := range viewmig.DependencyOrder(defs, names) {
		s, err := byName[name].CreateSQL(true)
		if err != nil {
			return err
		}
		up.WriteString(s)
	}
	if err := os.WriteFile(filepath.Join(dir, "29990101000000_bench.tx.up.sql"), []byte(up.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "29990101000000_bench.tx.down.sql"), []byte("SELECT 1;\n"), 0o644)
}
