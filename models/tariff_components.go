package models

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// The tariff component types, by the name the tariff_components view gives
// their rows (its model column) and package tariff's registry keys them on.
const (
	DailySupplyChargeComponent = "daily_supply_charge"
	UsageRateComponent         = "usage_rate"
	FeedInRateComponent        = "feed_in_rate"
	DemandChargeComponent      = "demand_charge"
	BlockRateComponent         = "block_rate"
	DiscountComponent          = "discount"
)

// TariffComponentType is one kind of tariff component: its name and the
// model of its table.
type TariffComponentType struct {
	Name  string
	Table any // a nil pointer to the table's model
}

// TariffComponentTypes is the one list of the component types solarview
// ships. The tariff_components view has one branch per entry (package
// views), and package tariff's registry needs a Go type for each, which it
// checks when it is built: adding a type here, without the rest, fails at
// start-up.
var TariffComponentTypes = []TariffComponentType{
	{DailySupplyChargeComponent, (*TariffDailySupplyCharge)(nil)},
	{UsageRateComponent, (*TariffUsageRate)(nil)},
	{FeedInRateComponent, (*TariffFeedInRate)(nil)},
	{DemandChargeComponent, (*TariffDemandCharge)(nil)},
	{BlockRateComponent, (*TariffBlockRate)(nil)},
	{DiscountComponent, (*TariffDiscount)(nil)},
}

// TariffComponentBase holds the columns every tariff component table has.
// Embedding it gives each component model the same accessors, so code that
// stores components (package tariff) can handle any of them, including
// types added later.
type TariffComponentBase struct {
	ID       int64 `bun:"id,pk,autoincrement"`
	TariffID int64 `bun:"tariff_id,notnull"`
	// Label is the retailer's name for the component ("Peak", "Shoulder");
	// empty when it has none.
	Label string `bun:"label,notnull"`
}

// ComponentBase returns the shared columns of the component embedding b.
func (b *TariffComponentBase) ComponentBase() *TariffComponentBase { return b }

// TariffWindow holds when a time-dependent component applies, in the site's
// local wall-clock time. Every field nil (or empty) means always. The
// migration documents the conventions; package tariff compiles and checks
// windows.
type TariffWindow struct {
	// Weekdays are ISO day numbers, 1 = Monday .. 7 = Sunday.
	Weekdays []int16 `bun:"weekdays,array,type:smallint[]"`
	// StartTime and EndTime bound the window [start, end); an end at or
	// before the start wraps past midnight.
	StartTime *ClockTime `bun:"start_time,type:time"`
	EndTime   *ClockTime `bun:"end_time,type:time"`
	// SeasonStart and SeasonEnd are "MM-DD" days, both inclusive, recurring
	// every year.
	SeasonStart *string `bun:"season_start"`
	SeasonEnd   *string `bun:"season_end"`
	// PublicHolidays says how the window treats public holidays: nil, they
	// are ordinary days of their weekday; HolidaysInclude, the window also
	// applies on every public holiday; HolidaysExclude, never on one;
	// HolidaysOnly, only on them.
	PublicHolidays *string `bun:"public_holidays"`
	// NEMTime reads the window's times, days and season on NEM time (UTC+10
	// all year, what CDR plans call "AEST") instead of the site's clock.
	NEMTime bool `bun:"nem_time,notnull"`
}

// Values of TariffWindow.PublicHolidays.
const (
	HolidaysInclude = "include"
	HolidaysExclude = "exclude"
	HolidaysOnly    = "only"
)

// TariffCircuit says which of the household's circuits a supply charge or
// usage rate is for. Most are for the general circuit: everything the meter
// measures. A plan with a controlled-load tariff (off-peak hot water on a
// timer, on a meter element of its own) prices that circuit's energy, the
// site's "CL" channel, at rates and with a supply charge of its own.
type TariffCircuit struct {
	// ControlledLoad is set for a charge on the controlled-load circuit.
	ControlledLoad bool `bun:"controlled_load,notnull"`
}

// ForControlledLoad reports whether the charge is for the controlled-load
// circuit.
func (c TariffCircuit) ForControlledLoad() bool { return c.ControlledLoad }

// TariffDailySupplyCharge is a fixed charge per day of supply.
type TariffDailySupplyCharge struct {
	bun.BaseModel `bun:"table:tariff_daily_supply_charges,alias:daily_supply_charge"`

	TariffComponentBase
	TariffCircuit
	// Amount is charged for each day, in currency units.
	Amount Money `bun:"amount,type:numeric,notnull"`
	// SeasonStart and SeasonEnd ("MM-DD", both inclusive) limit the charge
	// to the days of a season; nil for all year.
	SeasonStart *string `bun:"season_start"`
	SeasonEnd   *string `bun:"season_end"`
}

// TariffUsageRate is a price per kWh imported from the grid, flat or limited
// to a time-of-use window.
type TariffUsageRate struct {
	bun.BaseModel `bun:"table:tariff_usage_rates,alias:usage_rate"`

	TariffComponentBase
	TariffCircuit
	// Rate is in currency units per kWh.
	Rate Money `bun:"rate,type:numeric,notnull"`
	TariffWindow
}

// TariffFeedInRate is a credit per kWh exported to the grid, flat or
// time-varying. A negative rate charges for exports.
type TariffFeedInRate struct {
	bun.BaseModel `bun:"table:tariff_feed_in_rates,alias:feed_in_rate"`

	TariffComponentBase
	// Rate is in currency units per kWh, credited.
	Rate Money `bun:"rate,type:numeric,notnull"`
	TariffWindow
}

// Ways a demand charge measures the maximum it charges, stored in
// TariffDemandCharge.MeasuredOver.
const (
	// DemandOverBillingPeriod charges every day of a billing period for the
	// highest half-hour of the whole period.
	DemandOverBillingPeriod = "billing_period"
	// DemandOverDay charges each day for its own highest half-hour.
	DemandOverDay = "day"
)

// TariffDemandCharge is a price per kW of maximum half-hourly grid demand
// inside a window, charged per day.
type TariffDemandCharge struct {
	bun.BaseModel `bun:"table:tariff_demand_charges,alias:demand_charge"`

	TariffComponentBase
	// Rate is in currency units per kW per day.
	Rate Money `bun:"rate,type:numeric,notnull"`
	// MeasuredOver is DemandOverBillingPeriod or DemandOverDay.
	MeasuredOver string `bun:"measured_over,notnull"`
	// MinKW and MaxKW bound the demand charged: only the part of the peak
	// above MinKW and, when MaxKW is set, up to MaxKW.
	MinKW float64  `bun:"min_kw,type:numeric,notnull"`
	MaxKW *float64 `bun:"max_kw,type:numeric"`
	// PerKVA is set when the plan charges per kVA of apparent power.
	// Interval data has no power factor, so the demand measured is kW
	// (a power factor of 1): the charge is a lower bound, and reports
	// say so.
	PerKVA bool `bun:"per_kva,notnull"`
	TariffWindow
}

// TariffBlockRate prices grid import in steps: Rates[0] for the first
// VolumesKWh[0] kWh of a day or billing period (as Period says), Rates[1]
// for the next VolumesKWh[1], and the last rate above them all.
type TariffBlockRate struct {
	bun.BaseModel `bun:"table:tariff_block_rates,alias:block_rate"`

	TariffComponentBase
	TariffCircuit
	// Rates are in currency units per kWh, one more than VolumesKWh.
	Rates      []Money   `bun:"rates,array,type:tariff_money[],notnull"`
	VolumesKWh []float64 `bun:"volumes_kwh,array,type:numeric[],notnull"`
	// Period is the ISO 8601 duration the volumes are for: "P1D" restarts
	// the count every day, anything else every billing period, pro-rated.
	Period string `bun:"period,notnull"`
	TariffWindow
}

// Values of TariffDiscount.AppliesTo.
const (
	DiscountOffBill  = "bill"
	DiscountOffUsage = "usage"
)

// TariffDiscount takes Percent per cent off a day's charges: all of them
// (DiscountOffBill, feed-in credits excepted) or usage only.
type TariffDiscount struct {
	bun.BaseModel `bun:"table:tariff_discounts,alias:discount"`

	TariffComponentBase
	Percent   Money  `bun:"percent,type:numeric,notnull"`
	AppliesTo string `bun:"applies_to,notnull"`
	// Condition is what the user assumed for a conditional discount
	// ("pay-on-time"); empty for a guaranteed one.
	Condition string `bun:"condition,notnull"`
}

// PublicHoliday is a day of the holiday calendar time-of-use windows use.
// Region is "" for everywhere, a state or territory code or a time zone.
type PublicHoliday struct {
	bun.BaseModel `bun:"table:public_holidays,alias:public_holiday"`

	Date   time.Time `bun:"date,pk,type:date"`
	Region string    `bun:"region,pk,notnull"`
	Name   string    `bun:"name,notnull"`
}

// TariffComponentRow is a row of the tariff_components view: one component of
// any type, named by Model, with its table row as JSON in Data. Package
// tariff turns rows back into typed components. Read-only.
type TariffComponentRow struct {
	bun.BaseModel `bun:"table:tariff_components,alias:tariff_component"`

	Model    string          `bun:"model"`
	ID       int64           `bun:"id"`
	TariffID int64           `bun:"tariff_id"`
	Data     json.RawMessage `bun:"data,type:jsonb"`
}
