package commands

// The units of the command line: --capacity, --sweep, --power, --price,
// --discount-rate and --efficiency. They live with the commands rather than
// in a package of their own because nothing else reads them: the report
// takes watt-hours, watts, fractions and a report.Price, and only flags
// come as text.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/solarview/solarview/internal/report"
	"github.com/solarview/solarview/models"
)

// unitScale maps a lower-cased unit suffix to its factor in the base unit
// (Wh for energy, W for power).
type unitScale map[string]float64

var (
	energyUnits = unitScale{"wh": 1, "kwh": 1e3, "mwh": 1e6}
	powerUnits  = unitScale{"w": 1, "kw": 1e3, "mw": 1e6}
)

// parseQuantity reads a number followed by one of units ("13.5kWh",
// "500 W"); the unit is required, because "13.5" could as well be Wh as
// kWh and a wrong guess would be off by a thousand. Case is ignored.
func parseQuantity(s, what, example string, units unitScale) (float64, error) {
	orig := s
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 {
		c := s[i-1]
		if c >= '0' && c <= '9' || c == '.' || c == ' ' {
			break
		}
		i--
	}
	num, unit := strings.TrimSpace(s[:i]), strings.ToLower(s[i:])
	if num == "" {
		return 0, fmt.Errorf("%s %q: want a number with a unit, such as %s", what, orig, example)
	}
	factor, ok := units[unit]
	if !ok {
		if unit == "" {
			return 0, fmt.Errorf("%s %q has no unit: write it as %s", what, orig, example)
		}
		return 0, fmt.Errorf("%s %q: unknown unit %q (want %s)", what, orig, s[i:], unitList(units))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q: %q is not a number", what, orig, num)
	}
	return v * factor, nil
}

func unitList(u unitScale) string {
	if _, ok := u["wh"]; ok {
		return "Wh, kWh or MWh"
	}
	return "W, kW or MW"
}

// parseEnergy reads an energy such as "13.5kWh", "13500Wh" or "13.5 kWh"
// and returns watt-hours. A unit is required.
func parseEnergy(s string) (float64, error) {
	return parseQuantity(s, "energy", `"13.5kWh" or "13500Wh"`, energyUnits)
}

// parsePower reads a power such as "5kW" or "500W" and returns watts. A unit
// is required.
func parsePower(s string) (float64, error) {
	return parseQuantity(s, "power", `"5kW" or "500W"`, powerUnits)
}

// parseEnergyList reads a comma-separated list of energies, as --sweep
// takes them: "5kWh,10kWh,13.5kWh". A number without a unit takes the unit
// of the next item that has one, so "5,10,13.5kWh" also works.
func parseEnergyList(s string) ([]float64, error) {
	parts := strings.Split(s, ",")
	out := make([]float64, len(parts))
	unit := ""
	for i := len(parts) - 1; i >= 0; i-- {
		p := strings.TrimSpace(parts[i])
		if p == "" {
			return nil, fmt.Errorf("empty item in the list %q", s)
		}
		if last := p[len(p)-1]; last >= '0' && last <= '9' || last == '.' {
			if unit == "" {
				return nil, fmt.Errorf("energy %q has no unit: write it as \"13.5kWh\" or \"13500Wh\"", p)
			}
			p += unit
		} else {
			j := len(p)
			for j > 0 && !(p[j-1] >= '0' && p[j-1] <= '9' || p[j-1] == '.' || p[j-1] == ' ') {
				j--
			}
			unit = p[j:]
		}
		v, err := parseEnergy(p)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// parsePrice reads a battery price in currency units: "5000" (the same for
// every size), "650/kWh" (per kWh of capacity) or "2000+500/kWh" (fixed
// installation plus per kWh). Prices must not be negative.
func parsePrice(s string) (report.Price, error) {
	var p report.Price
	orig := s
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if s == "" {
		return p, errors.New("empty price")
	}
	for _, term := range strings.Split(s, "+") {
		num, perKWh := term, false
		if n, ok := strings.CutSuffix(strings.ToLower(term), "/kwh"); ok {
			num, perKWh = term[:len(n)], true
		}
		m, err := models.ParseMoney(num)
		if err != nil {
			return p, fmt.Errorf("price %q: want an amount such as 5000, 650/kWh or 2000+500/kWh", orig)
		}
		if m < 0 {
			return p, fmt.Errorf("price %q must not be negative", orig)
		}
		if perKWh {
			p.PerKWh += m
		} else {
			p.Fixed += m
		}
	}
	return p, nil
}

// parseRate reads a yearly rate as a fraction ("0.05") or a percentage
// ("5%"). It must be in [0, 1): a discount rate of 100% or more discounts
// every future saving to nothing.
func parseRate(s string) (float64, error) {
	v, ok := parseFraction(s)
	if !ok || math.IsInf(v, 0) {
		return 0, fmt.Errorf("discount rate %q: want a fraction such as 0.05 or a percentage such as 5%%", s)
	}
	if v < 0 || v >= 1 {
		return 0, fmt.Errorf("discount rate %q must be at least 0 and below 100%%", s)
	}
	return v, nil
}

// parseEfficiency reads a round-trip efficiency as a fraction ("0.9") or a
// percentage ("90%"). It must be in (0, 1]: the battery configuration would
// read 0 as "not given", but on the command line it was given.
func parseEfficiency(s string) (float64, error) {
	v, ok := parseFraction(s)
	if !ok {
		return 0, fmt.Errorf("battery efficiency %q: want a fraction such as 0.9 or a percentage such as 90%%", s)
	}
	if !(v > 0 && v <= 1) {
		return 0, fmt.Errorf("battery efficiency must be in (0, 1], got %s", s)
	}
	return v, nil
}

// parseFraction reads a fraction ("0.9") or a percentage of one ("90%",
// "90 %"), with spaces around it; ok is false when s is not a number or is
// NaN. Infinities pass, for the caller to judge.
func parseFraction(s string) (v float64, ok bool) {
	s = strings.TrimSpace(s)
	scale := 1.0
	if t, pct := strings.CutSuffix(s, "%"); pct {
		s, scale = strings.TrimSpace(t), 0.01
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	return v * scale, true
}
