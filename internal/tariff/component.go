package tariff

import (
	"fmt"

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
	default:
		return "other"
	}
}

// Measure is what the pricing engine meters for one component over one
// local day of a billing period: all a component's price can depend on.
// Energies only count intervals inside the component's window.
type Measure struct {
	// ImportWh and ExportWh are the grid energy in the window on the day.
	ImportWh, ExportWh float64
	// DayPeakKW is the highest half-hourly import demand in the window on
	// the day; PeriodPeakKW the highest over the whole billing period.
	DayPeakKW, PeriodPeakKW float64
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

// When implements [Component]: a supply charge applies all day.
func (*DailySupplyCharge) When() models.TariffWindow { return models.TariffWindow{} }

// Category implements [Component].
func (*DailySupplyCharge) Category() Category { return Supply }

// Validate implements [Component].
func (c *DailySupplyCharge) Validate() error {
	if c.Amount < 0 {
		return fmt.Errorf("%s: amount %s is negative", displayName("daily supply charge", c.Label), c.Amount)
	}
	return nil
}

// DayCost implements [Component].
func (c *DailySupplyCharge) DayCost(Measure) models.Money { return c.Amount }

// Describe implements [Component].
func (c *DailySupplyCharge) Describe() string { return c.Amount.String() + " per day" }

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
	return withWindow(c.Rate.String()+" per kWh imported", c.TariffWindow)
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
	if _, err := CompileWindow(c.TariffWindow); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// DayCost implements [Component].
func (c *DemandCharge) DayCost(m Measure) models.Money {
	if c.MeasuredOver == models.DemandOverDay {
		return c.Rate.MulFloat(m.DayPeakKW)
	}
	return c.Rate.MulFloat(m.PeriodPeakKW)
}

// Describe implements [Component].
func (c *DemandCharge) Describe() string {
	over := "the billing period's"
	if c.MeasuredOver == models.DemandOverDay {
		over = "the day's"
	}
	return withWindow(fmt.Sprintf("%s per kW per day of %s peak half-hour", c.Rate, over), c.TariffWindow)
}
