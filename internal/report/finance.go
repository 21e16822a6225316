package report

import (
	"math"

	"github.com/solarview/solarview/models"
)

// FinanceConvention is how payback and net present value are reckoned,
// printed under every report that shows them and in `--help`: the figures
// mean little without it.
const FinanceConvention = "Payback and NPV assume the savings over the data priced repeat equally every year, " +
	"counted at each year's end, with no battery degradation and no price changes; the battery is paid for at year 0. " +
	"Payback = price / yearly savings; NPV = -price + sum over the lifetime of yearly savings / (1 + rate)^year."

// DaysPerYear turns average savings per day into savings per year. A plain
// 365: bills and battery quotes talk in calendar years, and the leap day
// would move a payback by a day in four years.
const DaysPerYear = 365

// perDay spreads an exact total over days, to the nano-unit.
func perDay(total models.Money, days int) models.Money {
	if days <= 0 {
		return 0
	}
	return models.Money(math.Round(float64(total) / float64(days)))
}

// perYear scales a total over days to a year of DaysPerYear days.
func perYear(total models.Money, days int) models.Money {
	if days <= 0 {
		return 0
	}
	return models.Money(math.Round(float64(total) * DaysPerYear / float64(days)))
}

// paybackYears is the simple payback: price over yearly savings, ignoring
// the time value of money and the battery's ageing. +Inf when the battery
// never pays for itself (it saves nothing, or costs money).
func paybackYears(price, perYear models.Money) float64 {
	if perYear <= 0 {
		return math.Inf(1)
	}
	return float64(price) / float64(perYear)
}

// npv is the net present value of buying the battery for price and saving
// perYear at the end of each of years years, discounted at rate per year:
// −price + Σ perYear/(1+rate)^y. The same savings every year is the simple
// reading of "what the data says"; fade and tariff changes are for the
// user to weigh.
func npv(price, perYear models.Money, rate float64, years int) models.Money {
	factor := 0.0
	d := 1.0
	for y := 1; y <= years; y++ {
		d /= 1 + rate
		factor += d
	}
	return models.Money(math.Round(float64(perYear)*factor)) - price
}

// Price is what a battery costs installed: a fixed amount plus an amount per
// kWh of capacity, so one --price can serve a sweep of sizes.
type Price struct {
	Fixed  models.Money
	PerKWh models.Money
}

// For is the price of a battery of capacityWh.
func (p Price) For(capacityWh float64) models.Money {
	return p.Fixed + p.PerKWh.MulFloat(capacityWh/1000)
}

// String writes p the way --price takes it (see commands.parsePrice).
func (p Price) String() string {
	switch {
	case p.PerKWh == 0:
		return p.Fixed.String()
	case p.Fixed == 0:
		return p.PerKWh.String() + "/kWh"
	}
	return p.Fixed.String() + "+" + p.PerKWh.String() + "/kWh"
}
