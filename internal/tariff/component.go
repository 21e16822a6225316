package tariff

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/solarview/solarview/models"
)

// Category groups components in a cost breakdown, and tells [Tariff.Validate]
// which components must not overlap.
type Category int

// Categories of components.
const (
	// Supply charges are per day, whatever the energy.
	Supply Category = iota
	// Usage rates price grid import. A tariff's usage rates must cover every
	// instant exactly once, when it has any.
	Usage
	// FeedIn rates credit exports. At most one applies at any instant.
	FeedIn
	// Demand charges price the highest half-hour of grid import.
	Demand
	// Discounts take a share off the day's other charges.
	Discount
	// Other is for component types that fit none of the above.
	Other
)

func (c Category) String() string {
	switch c {
	case Supply:
		return "supply"
	case Usage:
		return "usage"
	case FeedIn:
		return "feed-in"
	case Demand:
		return "demand"
	case Discount:
		return "discount"
	default:
		return "other"
	}
}

// Measure is what the pricing engine meters for one component over one
// local day of a billing period: all a component's price can depend on.
// Energies only count intervals inside the component's window.
//
// Which import a component sees depends on its circuit (see
// [ForControlledLoad]): a controlled-load rate sees the controlled load's
// energy, every other component the general circuit's, which is the grid
// import less the controlled load priced at a controlled-load rate. Where
// no controlled-load rate applies, the controlled load is general import.
type Measure struct {
	// ImportWh and ExportWh are the grid energy in the window on the day.
	ImportWh, ExportWh float64
	// DayPeakKW is the highest half-hourly import demand in the window on
	// the day; PeriodPeakKW the highest over the whole billing period.
	DayPeakKW, PeriodPeakKW float64
	// Intervals counts the day's intervals inside the window.
	Intervals int
	// InSeason is set when the day is in the window's season (always, for a
	// window without one): charges per day apply only on those days.
	InSeason bool
	// ImportBeforeWh is the import in the window on the billing period's
	// earlier days, where a block rate's count per billing period stands
	// when the day starts.
	ImportBeforeWh float64
	// PeriodDays is the length of the billing period in days.
	PeriodDays int
	// ControlledLoadMetered is set when the site metered controlled load
	// on the day: only then is a controlled-load supply charge due.
	ControlledLoadMetered bool
}

// circuitComponent is a component that may be for the controlled-load
// circuit ([models.TariffCircuit]).
type circuitComponent interface{ ForControlledLoad() bool }

// ForControlledLoad reports whether c prices the controlled-load circuit
// rather than the general one.
func ForControlledLoad(c Component) bool {
	cc, ok := c.(circuitComponent)
	return ok && cc.ForControlledLoad()
}

// perKWhOf names the energy a usage rate prices, in descriptions.
func perKWhOf(c circuitComponent) string {
	if c.ForControlledLoad() {
		return " per kWh of controlled load"
	}
	return " per kWh imported"
}

// A Discounter is a component priced from the day's other charges rather
// than from energy: the engine prices every other component of the day
// first and hands it their costs. Its DayCost is not used.
type Discounter interface {
	Component
	// DayDiscount is the day's discount (negative) on costs, the day's
	// other charges.
	DayDiscount(costs Costs) models.Money
}

// Component is one priced part of a tariff. Each type is a Bun model of its
// own table (embedding [models.TariffComponentBase]) carrying its own
// validation and pricing; [Registry] turns rows of the tariff_components view
// back into them. A new type needs a table, a model, one [Kind] in the
// registry and one branch of the view: the engine only talks to this
// interface.
type Component interface {
	// ComponentBase gives the columns every component table has.
	ComponentBase() *models.TariffComponentBase
	// When is the window the component applies in; the zero value is
	// always. The engine meters a component only inside it.
	When() models.TariffWindow
	// Category places the component in cost breakdowns.
	Category() Category
	// Validate checks the component on its own, before it is stored or
	// priced.
	Validate() error
	// DayCost is the pricing method: the cost of one local day (negative
	// for a credit), given what was metered in the window.
	DayCost(m Measure) models.Money
	// Describe says what the component charges, for people.
	Describe() string
}

// displayName names a component in messages: its label, or its kind.
func displayName(kind, label string) string {
	if label == "" {
		return kind
	}
	return fmt.Sprintf("%s %q", kind, label)
}

// perKWh prices energy in Wh at a rate per kWh.
func perKWh(rate models.Money, wh float64) models.Money {
	return rate.MulFloat(wh / 1000)
}

// withWindow appends a window to a description unless it is always.
func withWindow(s string, w models.TariffWindow) string {
	cw, err := CompileWindow(w)
	if err != nil {
		return s + " (invalid window: " + err.Error() + ")"
	}
	if cw.IsAlways() {
		return s + ", all times"
	}
	return s + ", " + cw.String()
}

// DailySupplyCharge is a fixed charge for every day with data.
type DailySupplyCharge struct {
	models.TariffDailySupplyCharge `bun:",extend"`
}

// When implements [Component]: a supply charge applies all day, in its
// season if it has one.
func (c *DailySupplyCharge) When() models.TariffWindow {
	return models.TariffWindow{SeasonStart: c.SeasonStart, SeasonEnd: c.SeasonEnd}
}

// Category implements [Component].
func (*DailySupplyCharge) Category() Category { return Supply }

// Validate implements [Component].
func (c *DailySupplyCharge) Validate() error {
	name := displayName("daily supply charge", c.Label)
	if c.Amount < 0 {
		return fmt.Errorf("%s: amount %s is negative", name, c.Amount)
	}
	if _, err := CompileWindow(c.When()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// DayCost implements [Component]: the amount on every day with data in
// the season. A controlled-load supply charge is due only on days the site
// metered controlled load: a household without that circuit does not pay
// for it, which matters when `compare` ranks plans with one.
func (c *DailySupplyCharge) DayCost(m Measure) models.Money {
	if !m.InSeason || c.ControlledLoad && !m.ControlledLoadMetered {
		return 0
	}
	return c.Amount
}

// Describe implements [Component].
func (c *DailySupplyCharge) Describe() string {
	per := c.Amount.String() + " per day"
	if c.ControlledLoad {
		per += " for controlled load, on days the site meters it"
	}
	if c.SeasonStart == nil {
		return per
	}
	return withWindow(per, c.When())
}

// UsageRate prices grid import per kWh, flat or in a time-of-use window.
type UsageRate struct {
	models.TariffUsageRate `bun:",extend"`
}

// When implements [Component].
func (c *UsageRate) When() models.TariffWindow { return c.TariffWindow }

// Category implements [Component].
func (*UsageRate) Category() Category { return Usage }

// Validate implements [Component].
func (c *UsageRate) Validate() error {
	name := displayName("usage rate", c.Label)
	if c.Rate < 0 {
		return fmt.Errorf("%s: rate %s is negative", name, c.Rate)
	}
	if _, err := CompileWindow(c.TariffWindow); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// DayCost implements [Component].
func (c *UsageRate) DayCost(m Measure) models.Money { return perKWh(c.Rate, m.ImportWh) }

// Describe implements [Component].
func (c *UsageRate) Describe() string {
	return withWindow(c.Rate.String()+perKWhOf(c), c.TariffWindow)
}

// FeedInRate credits exports per kWh, flat or time-varying.
type FeedInRate struct {
	models.TariffFeedInRate `bun:",extend"`
}

// When implements [Component].
func (c *FeedInRate) When() models.TariffWindow { return c.TariffWindow }

// Category implements [Component].
func (*FeedInRate) Category() Category { return FeedIn }

// Validate implements [Component]. Negative rates are allowed: they charge
// for exporting.
func (c *FeedInRate) Validate() error {
	if _, err := CompileWindow(c.TariffWindow); err != nil {
		return fmt.Errorf("%s: %w", displayName("feed-in rate", c.Label), err)
	}
	return nil
}

// DayCost implements [Component]: a credit, so negative.
func (c *FeedInRate) DayCost(m Measure) models.Money { return -perKWh(c.Rate, m.ExportWh) }

// Describe implements [Component].
func (c *FeedInRate) Describe() string {
	return withWindow(c.Rate.String()+" per kWh exported", c.TariffWindow)
}

// DemandCharge prices the highest half-hour of grid import in a window, per
// kW per day.
type DemandCharge struct {
	models.TariffDemandCharge `bun:",extend"`
}

// When implements [Component].
func (c *DemandCharge) When() models.TariffWindow { return c.TariffWindow }

// Category implements [Component].
func (*DemandCharge) Category() Category { return Demand }

// Validate implements [Component].
func (c *DemandCharge) Validate() error {
	name := displayName("demand charge", c.Label)
	if c.Rate < 0 {
		return fmt.Errorf("%s: rate %s is negative", name, c.Rate)
	}
	switch c.MeasuredOver {
	case models.DemandOverBillingPeriod, models.DemandOverDay:
	default:
		return fmt.Errorf("%s: measured_over %q is neither %q nor %q", name, c.MeasuredOver,
			models.DemandOverBillingPeriod, models.DemandOverDay)
	}
	if c.MinKW < 0 {
		return fmt.Errorf("%s: minimum demand %v kW is negative", name, c.MinKW)
	}
	if c.MaxKW != nil && *c.MaxKW <= c.MinKW {
		return fmt.Errorf("%s: maximum demand %v kW is not above the minimum %v kW", name, *c.MaxKW, c.MinKW)
	}
	if _, err := CompileWindow(c.TariffWindow); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// DayCost implements [Component].
func (c *DemandCharge) DayCost(m Measure) models.Money {
	if !m.InSeason {
		// A seasonal charge measured over a billing period that runs
		// past the season charges only the season's days.
		return 0
	}
	kw := m.PeriodPeakKW
	if c.MeasuredOver == models.DemandOverDay {
		kw = m.DayPeakKW
	}
	kw = max(kw-c.MinKW, 0)
	if c.MaxKW != nil {
		kw = min(kw, *c.MaxKW-c.MinKW)
	}
	return c.Rate.MulFloat(kw)
}

// Describe implements [Component].
func (c *DemandCharge) Describe() string {
	over := "the billing period's"
	if c.MeasuredOver == models.DemandOverDay {
		over = "the day's"
	}
	unit := "kW"
	if c.PerKVA {
		unit = "kVA (measured as kW: no power-factor data)"
	}
	s := fmt.Sprintf("%s per %s per day of %s peak half-hour", c.Rate, unit, over)
	switch {
	case c.MaxKW != nil:
		s += fmt.Sprintf(" between %v and %v kW", c.MinKW, *c.MaxKW)
	case c.MinKW > 0:
		s += fmt.Sprintf(" above %v kW", c.MinKW)
	}
	return withWindow(s, c.TariffWindow)
}

// BlockRate prices grid import in steps (CDR "stepped" rates): so many kWh a
// day or a billing period at one rate, the next so many at another.
type BlockRate struct {
	models.TariffBlockRate `bun:",extend"`
}

// When implements [Component].
func (c *BlockRate) When() models.TariffWindow { return c.TariffWindow }

// Category implements [Component].
func (*BlockRate) Category() Category { return Usage }

// Validate implements [Component].
func (c *BlockRate) Validate() error {
	name := displayName("block rate", c.Label)
	if len(c.Rates) < 2 || len(c.VolumesKWh) != len(c.Rates)-1 {
		return fmt.Errorf("%s: %d rates for %d volumes; give one rate more than volumes, at least two", name, len(c.Rates), len(c.VolumesKWh))
	}
	for _, r := range c.Rates {
		if r < 0 {
			return fmt.Errorf("%s: rate %s is negative", name, r)
		}
	}
	for _, v := range c.VolumesKWh {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: volume %v kWh is not positive", name, v)
		}
	}
	if _, err := PeriodDays(c.Period); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := CompileWindow(c.TariffWindow); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// PeriodDays reads the ISO 8601 durations CDR plans give block volumes
// for ("P1D", "P7D", "P2W", "P1M", "P3M", "P1Y") as days: a month is 365/12
// days and a year 365, so volumes pro-rate evenly over any bill.
func PeriodDays(p string) (float64, error) {
	bad := fmt.Errorf("period %q is not an ISO 8601 duration of days, weeks, months or years (P1D, P3M, P1Y)", p)
	if len(p) < 3 || p[0] != 'P' {
		return 0, bad
	}
	n, err := strconv.Atoi(p[1 : len(p)-1])
	if err != nil || n < 1 || p[1] == '0' || p[1] == '+' {
		return 0, bad
	}
	switch p[len(p)-1] {
	case 'D':
		return float64(n), nil
	case 'W':
		return 7 * float64(n), nil
	case 'M':
		return 365.0 / 12 * float64(n), nil
	case 'Y':
		return 365 * float64(n), nil
	}
	return 0, bad
}

// Daily reports whether the block count starts again every day rather
// than every billing period.
func (c *BlockRate) Daily() bool { return c.Period == "P1D" }

// DayCost implements [Component]: what the day's import costs on top of
// what the billing period's earlier days already used of the blocks.
func (c *BlockRate) DayCost(m Measure) models.Money {
	if c.Daily() {
		return c.cost(m.ImportWh/1000, 1)
	}
	days, _ := PeriodDays(c.Period)
	scale := float64(m.PeriodDays) / days
	before := m.ImportBeforeWh / 1000
	return c.cost(before+m.ImportWh/1000, scale) - c.cost(before, scale)
}

// cost prices kwh from the first block on, each block's volume scaled.
func (c *BlockRate) cost(kwh, scale float64) models.Money {
	var total models.Money
	lo := 0.0
	for i, r := range c.Rates {
		hi := math.Inf(1)
		if i < len(c.VolumesKWh) {
			hi = lo + c.VolumesKWh[i]*scale
		}
		if kwh > lo {
			total += r.MulFloat(min(kwh, hi) - lo)
		}
		lo = hi
	}
	return total
}

// Describe implements [Component].
func (c *BlockRate) Describe() string {
	per := "per billing period (volumes per " + c.Period + ", pro-rated)"
	if c.Daily() {
		per = "per day"
	}
	var parts []string
	for i, r := range c.Rates {
		if i < len(c.VolumesKWh) {
			parts = append(parts, fmt.Sprintf("%s for the next %v kWh", r, c.VolumesKWh[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%s above", r))
		}
	}
	parts[0] = strings.Replace(parts[0], "the next", "the first", 1)
	return withWindow(strings.Join(parts, ", ")+perKWhOf(c)+", "+per, c.TariffWindow)
}

// PercentDiscount takes a percentage off the day's charges: the whole bill
// (supply, usage and demand, never feed-in credits) or usage only.
type PercentDiscount struct {
	models.TariffDiscount `bun:",extend"`
}

// When implements [Component]: every day.
func (*PercentDiscount) When() models.TariffWindow { return models.TariffWindow{} }

// Category implements [Component].
func (*PercentDiscount) Category() Category { return Discount }

// Validate implements [Component].
func (c *PercentDiscount) Validate() error {
	name := displayName("discount", c.Label)
	if c.Percent <= 0 || c.Percent > 100*models.Unit {
		return fmt.Errorf("%s: %s%% is not a percentage above 0 and at most 100", name, c.Percent)
	}
	switch c.AppliesTo {
	case models.DiscountOffBill, models.DiscountOffUsage:
	default:
		return fmt.Errorf("%s: applies_to %q is neither %q nor %q", name, c.AppliesTo, models.DiscountOffBill, models.DiscountOffUsage)
	}
	return nil
}

// DayCost implements [Component]; see [PercentDiscount.DayDiscount].
func (*PercentDiscount) DayCost(Measure) models.Money { return 0 }

// DayDiscount implements [Discounter].
func (c *PercentDiscount) DayDiscount(costs Costs) models.Money {
	base := costs.Usage
	if c.AppliesTo == models.DiscountOffBill {
		base += costs.Supply + costs.Demand
	}
	return -base.MulFloat(float64(c.Percent) / float64(100*models.Unit))
}

// Describe implements [Component].
func (c *PercentDiscount) Describe() string {
	of := "the bill (supply, usage and demand charges)"
	if c.AppliesTo == models.DiscountOffUsage {
		of = "usage charges"
	}
	s := fmt.Sprintf("%s%% off %s", strings.TrimSuffix(strings.TrimRight(c.Percent.String(), "0"), "."), of)
	if c.Condition != "" {
		s += ", assuming " + c.Condition
	}
	return s
}
