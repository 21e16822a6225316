package views

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestModelsMatchTheirViews checks every view declared with a read-only
// model against what PostgreSQL plans for the view's code (its builder's SQL,
// created as a temporary view over a migrated database): the same column
// names, and for each a Go type that can hold the column's SQL type. A
// column renamed, added or retyped in a builder without the model following
// (or the other way round) fails here; `solarview check` separately fails
// when the builder and the migrations disagree.
func TestModelsMatchTheirViews(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	// Temporary views live in one session: keep to one connection.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	checked := 0
	for _, v := range All() {
		if v.Model == nil {
			continue
		}
		checked++
		t.Run(v.Name, func(t *testing.T) {
			table := db.Table(reflect.TypeOf(v.Model))
			if table.Name != v.Name {
				t.Fatalf("model %s reads %q, not the view %q it is declared with", table.TypeName, table.Name, v.Name)
			}
			sql, err := v.SQL()
			if err != nil {
				t.Fatal(err)
			}
			planned := "planned_" + v.Name
			if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY VIEW ? AS "+sql, bun.Ident(planned)); err != nil {
				t.Fatalf("planning view %s: %v", v.Name, err)
			}
			var cols []struct {
				Name string `bun:"attname"`
				Type string `bun:"type"`
			}
			err = conn.NewSelect().TableExpr("pg_attribute").
				ColumnExpr("attname::text AS attname, format_type(atttypid, atttypmod) AS type").
				Where("attrelid = to_regclass(?)", "pg_temp."+planned).
				Where("attnum > 0 AND NOT attisdropped").
				OrderExpr("attnum").Scan(ctx, &cols)
			if err != nil {
				t.Fatal(err)
			}
			if len(cols) == 0 {
				t.Fatalf("view %s plans no columns", v.Name)
			}
			fields := map[string]*schema.Field{}
			for _, f := range table.Fields {
				fields[f.Name] = f
			}
			var viewCols []string
			for _, c := range cols {
				viewCols = append(viewCols, c.Name)
				f, ok := fields[c.Name]
				if !ok {
					t.Errorf("view column %s (%s) has no field in model %s", c.Name, c.Type, table.TypeName)
					continue
				}
				if err := holds(f, c.Type); err != nil {
					t.Errorf("%s.%s: %v", table.TypeName, f.GoName, err)
				}
			}
			for name, f := range fields {
				if !slices.Contains(viewCols, name) {
					t.Errorf("model field %s.%s reads column %q, which view %s does not have (it has %s)",
						table.TypeName, f.GoName, name, v.Name, strings.Join(viewCols, ", "))
				}
			}
		})
	}
	if checked < 8 {
		t.Errorf("only %d views are declared with a model; the project has at least 8", checked)
	}
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	rawJSONType  = reflect.TypeFor[json.RawMessage]()
	intervalType = reflect.TypeFor[models.Interval]()
)

// holds says whether field f can hold a column of SQL type sqlType (as
// format_type writes it), and if not, why.
func holds(f *schema.Field, sqlType string) error {
	// Bun fills UserSQLType from the Go type when the tag has none, so the
	// tag itself says whether the model declared a type.
	if declared, ok := f.Tag.Option("type"); ok {
		if !strings.EqualFold(declared, sqlType) {
			return fmt.Errorf("declared type:%s, but the view's column is %s", declared, sqlType)
		}
		return nil
	}
	typ := f.IndirectType
	var ok []string
	switch {
	case typ == timeType:
		ok = []string{"timestamp with time zone"}
	case typ == rawJSONType:
		ok = []string{"jsonb", "json"}
	case typ == intervalType:
		ok = []string{"interval"}
	case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.String:
		ok = []string{"text[]", "character varying[]"}
	default:
		switch typ.Kind() {
		case reflect.Int64, reflect.Int:
			ok = []string{"bigint", "integer", "smallint"}
		case reflect.Int32:
			ok = []string{"integer", "smallint"}
		case reflect.Float64:
			ok = []string{"double precision", "real"}
		case reflect.String:
			ok = []string{"text", "character varying"}
		case reflect.Bool:
			ok = []string{"boolean"}
		default:
			return fmt.Errorf("no rule for Go type %s: add one to holds, or declare the SQL type with a type: tag", typ)
		}
	}
	if !slices.Contains(ok, sqlType) {
		return fmt.Errorf("Go type %s cannot hold the view's %s column", typ, sqlType)
	}
	return nil
}
