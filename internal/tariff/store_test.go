package tariff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/models"
	"github.com/solarview/solarview/views"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// queryCounter is a Bun query hook counting statements, to prove what
// takes one query does.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (q *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) { q.n.Add(1) }

func examplePlan(t *testing.T) []Component {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "tou_plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	comps, err := ParsePlan(data)
	if err != nil {
		t.Fatal(err)
	}
	return comps
}

// describeAll lists what a tariff charges, in a canonical order, so stored
// and loaded tariffs compare regardless of the order rows come back in.
func describeAll(comps []Component) []string {
	var out []string
	for _, c := range comps {
		out = append(out, c.Category().String()+"|"+c.ComponentBase().Label+"|"+c.Describe())
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestSaveAndLoadTariff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)

	tou := &Tariff{Name: "Example TOU", Retailer: "Sunny Energy", Components: examplePlan(t)}
	if err := SaveTariff(ctx, db, Components, tou); err != nil {
		t.Fatal(err)
	}
	flat := &Tariff{Name: "Flat", Retailer: "Sunny Energy", Components: []Component{
		supply(t, "1.10"), usage(t, "", "0.30", models.TariffWindow{}), feedIn(t, "", "0.05", models.TariffWindow{}),
	}}
	if err := SaveTariff(ctx, db, Components, flat); err != nil {
		t.Fatal(err)
	}
	for _, c := range tou.Components {
		if b := c.ComponentBase(); b.ID == 0 || b.TariffID != tou.ID {
			t.Errorf("component %s not given its ids: %+v", c.Describe(), b)
		}
	}
	if n, _ := db.NewSelect().Table("retailers").Count(ctx); n != 1 {
		t.Errorf("%d retailers, want the one shared by both tariffs", n)
	}

	counter := &queryCounter{}
	db.AddQueryHook(counter)
	loaded, err := LoadTariffs(ctx, db, Components)
	if err != nil {
		t.Fatal(err)
	}
	if got := counter.n.Load(); got != 2 {
		t.Errorf("loading every tariff with every component took %d statements, want 2 (tariffs, components)", got)
	}
	if len(loaded) != 2 || loaded[0].Name != "Example TOU" || loaded[1].Name != "Flat" {
		t.Fatalf("loaded %+v", loaded)
	}
	for i, want := range []*Tariff{tou, flat} {
		got := loaded[i]
		if got.Retailer != "Sunny Energy" || got.ID != want.ID {
			t.Errorf("tariff %q: %+v", want.Name, got)
		}
		if g, w := describeAll(got.Components), describeAll(want.Components); !reflect.DeepEqual(g, w) {
			t.Errorf("tariff %q round trip:\n got %q\nwant %q", want.Name, g, w)
		}
	}
	// Each row comes back as its own Go type, equal field by field.
	byID := map[string]Component{}
	for _, c := range tou.Components {
		byID[fmt.Sprintf("%T/%d", c, c.ComponentBase().ID)] = c
	}
	for _, c := range loaded[0].Components {
		want := byID[fmt.Sprintf("%T/%d", c, c.ComponentBase().ID)]
		if !reflect.DeepEqual(c, want) {
			t.Errorf("loaded %#v\nstored %#v", c, want)
		}
	}
	if err := loaded[0].Validate(); err != nil {
		t.Errorf("loaded tariff does not validate: %v", err)
	}

	one, err := LoadTariff(ctx, db, Components, "Flat")
	if err != nil || len(one.Components) != 3 {
		t.Fatalf("LoadTariff: %+v, %v", one, err)
	}
	var nf *names.NotFoundError
	if _, err := LoadTariff(ctx, db, Components, "Flta"); !errors.As(err, &nf) ||
		err.Error() != `no tariff named "Flta"; did you mean "Flat"?` {
		t.Errorf("unknown tariff: %v", err)
	}
}

func TestSaveTariffRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	ok := func() []Component { return []Component{supply(t, "1")} }
	if err := SaveTariff(ctx, db, Components, &Tariff{Name: "A", Retailer: "R", Components: ok()}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tariff *Tariff
		want   string
	}{
		{"duplicate", &Tariff{Name: "A", Retailer: "R", Components: ok()}, `a tariff named "A" already exists`},
		{"no components", &Tariff{Name: "B", Retailer: "R"}, `tariff "B": tariff has no components`},
		{"no retailer", &Tariff{Name: "C", Retailer: " ", Components: ok()}, `tariff "C" needs a retailer`},
		{"gap", &Tariff{Name: "D", Retailer: "New retailer", Components: []Component{
			usage(t, "Day", "0.3", win(t, nil, "07:00", "22:00")),
		}}, `no usage rate covers Mon 00:00–07:00`},
	}
	for _, tt := range tests {
		err := SaveTariff(ctx, db, Components, tt.tariff)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	// Nothing of the refused tariffs reached the database, retailer included.
	if n, _ := db.NewSelect().Table("tariffs").Count(ctx); n != 1 {
		t.Errorf("%d tariffs stored, want 1", n)
	}
	if n, _ := db.NewSelect().Table("retailers").Count(ctx); n != 1 {
		t.Errorf("%d retailers stored, want 1", n)
	}
}

// TestConstraintsInDatabase checks the tables refuse bad components by
// themselves, whatever client writes them, and lose them with their tariff.
func TestConstraintsInDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	tariff := &Tariff{Name: "T", Retailer: "R", Components: []Component{supply(t, "1"), usage(t, "", "0.3", models.TariffWindow{})}}
	if err := SaveTariff(ctx, db, Components, tariff); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		"INSERT INTO tariff_usage_rates (tariff_id, rate) VALUES (?, 0.1234567891)",
		"INSERT INTO tariff_usage_rates (tariff_id, rate) VALUES (?, -0.1)",
		"INSERT INTO tariff_usage_rates (tariff_id, rate, weekdays) VALUES (?, 0.1, '{0,1}')",
		"INSERT INTO tariff_usage_rates (tariff_id, rate, weekdays) VALUES (?, 0.1, '{}')",
		"INSERT INTO tariff_usage_rates (tariff_id, rate, start_time) VALUES (?, 0.1, '07:00')",
		"INSERT INTO tariff_usage_rates (tariff_id, rate, start_time, end_time) VALUES (?, 0.1, '07:00', '07:00')",
		"INSERT INTO tariff_feed_in_rates (tariff_id, rate, season_start, season_end) VALUES (?, 0.1, '02-30', '03-31')",
		"INSERT INTO tariff_feed_in_rates (tariff_id, rate, season_start) VALUES (?, 0.1, '11-01')",
		"INSERT INTO tariff_demand_charges (tariff_id, rate, measured_over) VALUES (?, 0.1, 'month')",
		"INSERT INTO tariff_daily_supply_charges (tariff_id, amount) VALUES (?, -1)",
		"INSERT INTO tariff_daily_supply_charges (tariff_id, amount) VALUES (0, 1)",
		"INSERT INTO tariff_daily_supply_charges (tariff_id, amount, season_start) VALUES (?, 1, '11-01')",
		"INSERT INTO tariff_usage_rates (tariff_id, rate, public_holidays) VALUES (?, 0.1, 'sometimes')",
		"INSERT INTO tariff_demand_charges (tariff_id, rate, min_kw, max_kw) VALUES (?, 0.1, 2, 1)",
		"INSERT INTO tariff_demand_charges (tariff_id, rate, min_kw) VALUES (?, 0.1, -1)",
		"INSERT INTO tariff_block_rates (tariff_id, rates, volumes_kwh, period) VALUES (?, '{0.2,0.3}', '{10,20}', 'P1D')",
		"INSERT INTO tariff_block_rates (tariff_id, rates, volumes_kwh, period) VALUES (?, '{0.2}', '{}', 'P1D')",
		"INSERT INTO tariff_block_rates (tariff_id, rates, volumes_kwh, period) VALUES (?, '{0.2,-0.3}', '{10}', 'P1D')",
		"INSERT INTO tariff_block_rates (tariff_id, rates, volumes_kwh, period) VALUES (?, '{0.2,0.3}', '{0}', 'P1D')",
		"INSERT INTO tariff_block_rates (tariff_id, rates, volumes_kwh, period) VALUES (?, '{0.2,0.1234567891}', '{10}', 'P1D')",
		"INSERT INTO tariff_block_rates (tariff_id, rates, volumes_kwh, period) VALUES (?, '{0.2,0.3}', '{10}', 'P1Q')",
		"INSERT INTO tariff_discounts (tariff_id, percent, applies_to) VALUES (?, 0, 'bill')",
		"INSERT INTO tariff_discounts (tariff_id, percent, applies_to) VALUES (?, 101, 'bill')",
		"INSERT INTO tariff_discounts (tariff_id, percent, applies_to) VALUES (?, 5, 'feed-in')",
	}
	good := []string{
		"INSERT INTO tariff_block_rates (tariff_id, rates, volumes_kwh, period) VALUES (?, '{0.2,0.3,0.4}', '{10,20.5}', 'P3M')",
		"INSERT INTO tariff_discounts (tariff_id, percent, applies_to, condition) VALUES (?, 7.5, 'bill', 'pay-on-time')",
		"INSERT INTO public_holidays (date, name) VALUES ('2025-01-01', 'New Year''s Day')",
	}
	for _, q := range good {
		if _, err := db.ExecContext(ctx, q, tariff.ID); err != nil {
			t.Errorf("the database refused %s: %v", q, err)
		}
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO public_holidays (date, name) VALUES ('2025-01-01', 'Again')"); err == nil {
		t.Errorf("the database accepted the same holiday twice")
	}
	for _, q := range bad {
		if _, err := db.ExecContext(ctx, q, tariff.ID); err == nil {
			t.Errorf("the database accepted: %s", q)
		}
	}
	if _, err := db.NewDelete().Model((*models.Tariff)(nil)).Where("id = ?", tariff.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.NewSelect().Table("tariff_components").Count(ctx); err != nil || n != 0 {
		t.Errorf("%d components outlived their tariff (%v)", n, err)
	}
}

func TestSplitPeriods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to, every string
		want            []string
	}{
		{"2024-01-01", "2024-12-31", "", []string{"2024-01-01 to 2024-12-31"}},
		{"2024-01-01", "2024-01-01", "", []string{"2024-01-01 to 2024-01-01"}},
		{"2024-01-01", "2024-03-31", EveryMonth, []string{
			"2024-01-01 to 2024-01-31", "2024-02-01 to 2024-02-29", "2024-03-01 to 2024-03-31"}},
		{"2024-01-31", "2024-05-15", EveryMonth, []string{
			"2024-01-31 to 2024-02-28", "2024-02-29 to 2024-03-30", "2024-03-31 to 2024-04-29", "2024-04-30 to 2024-05-15"}},
		{"2024-02-15", "2025-02-14", EveryQuarter, []string{
			"2024-02-15 to 2024-05-14", "2024-05-15 to 2024-08-14", "2024-08-15 to 2024-11-14", "2024-11-15 to 2025-02-14"}},
	}
	for _, tt := range tests {
		got, err := SplitPeriods(date(tt.from), date(tt.to), tt.every)
		if err != nil {
			t.Errorf("%+v: %v", tt, err)
			continue
		}
		var s []string
		for _, r := range got {
			s = append(s, r.String())
		}
		if !reflect.DeepEqual(s, tt.want) {
			t.Errorf("SplitPeriods(%s, %s, %q) =\n %q\nwant\n %q", tt.from, tt.to, tt.every, s, tt.want)
		}
	}
	if _, err := SplitPeriods(date("2024-02-01"), date("2024-01-31"), ""); err == nil {
		t.Errorf("--to before --from accepted")
	}
	if _, err := SplitPeriods(date("2024-01-01"), date("2024-12-31"), "week"); err == nil {
		t.Errorf("--every week accepted")
	}
}

func TestBillingPeriodsOverlapRefusedByDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	site := &models.Site{Name: "home", TimeZone: "Australia/Sydney"}
	if _, err := db.NewInsert().Model(site).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Old", "New"} {
		if err := SaveTariff(ctx, db, Components, &Tariff{Name: name, Retailer: "R", Components: []Component{supply(t, "1")}}); err != nil {
			t.Fatal(err)
		}
	}
	tariffs, err := LoadTariffs(ctx, db, Components)
	if err != nil {
		t.Fatal(err)
	}
	newID, oldID := tariffs[0].ID, tariffs[1].ID
	quarters, _ := SplitPeriods(date("2024-01-01"), date("2024-06-30"), EveryQuarter)
	if err := AddBillingPeriods(ctx, db, site.ID, site.Name, oldID, quarters); err != nil {
		t.Fatal(err)
	}
	// Monthly from May: the first month is fine, June overlaps Q2.
	months, _ := SplitPeriods(date("2024-06-01"), date("2024-08-31"), EveryMonth)
	err = AddBillingPeriods(ctx, db, site.ID, site.Name, newID, months)
	var oe *OverlapError
	if !errors.As(err, &oe) {
		t.Fatalf("want an OverlapError, got %v", err)
	}
	want := `billing period 2024-06-01 to 2024-06-30 overlaps site "home"'s billing period 2024-04-01 to 2024-06-30 (tariff "Old")`
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	rows, err := ListBillingPeriods(ctx, db, site.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Errorf("%d periods after a refused batch, want the 2 quarters: all or nothing", len(rows))
	}
	for i, r := range rows {
		if got := (DateRange{r.Start, r.End}).String(); got != quarters[i].String() || r.Tariff != "Old" || r.Site != "home" {
			t.Errorf("period %d: %+v", i, r)
		}
	}
	// Right after the quarters, the months fit.
	months, _ = SplitPeriods(date("2024-07-01"), date("2024-08-31"), EveryMonth)
	if err := AddBillingPeriods(ctx, db, site.ID, site.Name, newID, months); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPricer(ctx, db, Components, site)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Periods()); got != 4 || p.Periods()[3].Tariff.Name != "New" || p.Location().String() != "Australia/Sydney" {
		t.Errorf("pricer periods: %+v", p.Periods())
	}
}

// TestNewComponentType adds a component type the way the package says one
// is added — a table, a model, one registry entry and one branch of the
// view — and nothing else, then stores, loads and prices it.
func TestNewComponentType(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)

	// 1. The table.
	if _, err := db.ExecContext(ctx, `CREATE TABLE tariff_export_charges (
		id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
		tariff_id bigint NOT NULL REFERENCES tariffs (id) ON DELETE CASCADE,
		label text NOT NULL DEFAULT '',
		rate tariff_money NOT NULL CHECK (rate >= 0),
		free_kwh numeric NOT NULL CHECK (free_kwh >= 0)
	)`); err != nil {
		t.Fatal(err)
	}
	// 2. The model (exportCharge, below). 3. One registry entry.
	reg := Components.With(Kind{Model: "export_charge", New: func() Component { return new(exportCharge) }})
	// 4. One more branch of the view.
	branches := append(append([]views.TariffComponentBranch(nil), views.TariffComponentBranches...),
		views.TariffComponentBranch{Model: "export_charge", Table: "tariff_export_charges"})
	viewSQL, err := views.TariffComponents(db, branches).AppendQuery(db.QueryGen(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE OR REPLACE VIEW tariff_components AS "+string(viewSQL)); err != nil {
		t.Fatal(err)
	}

	ec := &exportCharge{Rate: money(t, "0.02"), FreeKWh: money(t, "10")}
	ec.Label = "Export over 10 kWh"
	tariff := &Tariff{Name: "Two-way", Retailer: "R", Components: []Component{supply(t, "1"), ec}}
	if err := SaveTariff(ctx, db, reg, tariff); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadTariff(ctx, db, reg, "Two-way")
	if err != nil {
		t.Fatal(err)
	}
	var got *exportCharge
	for _, c := range loaded.Components {
		if e, ok := c.(*exportCharge); ok {
			got = e
		}
	}
	if got == nil || got.Rate != ec.Rate || got.FreeKWh != ec.FreeKWh || got.Label != ec.Label {
		t.Fatalf("loaded %#v, want %#v", got, ec)
	}
	// Without the entry, the registry refuses the rows rather than
	// dropping a charge.
	if _, err := LoadTariff(ctx, db, Components, "Two-way"); err == nil || !strings.Contains(err.Error(), `unknown tariff component model "export_charge"`) {
		t.Errorf("built-in registry on an unknown model: %v", err)
	}

	p, err := NewPricer(time.UTC, []Period{{ID: 1, Start: date("2024-01-01"), End: date("2024-01-03"), Tariff: loaded}})
	if err != nil {
		t.Fatal(err)
	}
	a := p.NewAccumulator()
	a.AddAt(date("2024-01-01").Add(12*time.Hour), 0, 25_000) // 15 kWh over the free 10
	a.AddAt(date("2024-01-02").Add(12*time.Hour), 0, 4_000)  // under the free 10
	r := mustResult(t, a)
	days := r.Periods[0].Days
	if days[0].Costs.Other != money(t, "0.30") || days[1].Costs.Other != 0 || r.Total().Total() != money(t, "2.30") {
		t.Errorf("export charge priced %+v / %+v, total %s", days[0].Costs, days[1].Costs, r.Total().Total())
	}

	// The SQL cost views see a component they do not know and call the
	// tariff not flat instead of leaving the charge out.
	var flat bool
	if err := db.NewSelect().Table("tariff_flat_rates").Column("flat").Where("tariff_id = ?", loaded.ID).Scan(ctx, &flat); err != nil || flat {
		t.Errorf("tariff_flat_rates.flat = %v (%v), want false", flat, err)
	}
}

// exportCharge is the test's new component type: a charge per kWh exported
// beyond a free allowance each day, as some two-way tariffs have.
type exportCharge struct {
	bun.BaseModel `bun:"table:tariff_export_charges,alias:export_charge"`
	models.TariffComponentBase
	Rate    models.Money `bun:"rate,type:numeric,notnull"`
	FreeKWh models.Money `bun:"free_kwh,type:numeric,notnull"`
}

func (*exportCharge) When() models.TariffWindow { return models.TariffWindow{} }
func (*exportCharge) Category() Category        { return Other }
func (c *exportCharge) Describe() string {
	return c.Rate.String() + " per kWh exported beyond " + c.FreeKWh.String() + " kWh a day"
}

func (c *exportCharge) Validate() error {
	if c.Rate < 0 || c.FreeKWh < 0 {
		return errors.New("export charge: negative rate or allowance")
	}
	return nil
}

func (c *exportCharge) DayCost(m Measure) models.Money {
	over := m.ExportWh/1000 - float64(c.FreeKWh)/float64(models.Unit)
	if over <= 0 {
		return 0
	}
	return c.Rate.MulFloat(over)
}
