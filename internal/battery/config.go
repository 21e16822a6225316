package battery

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Model selects the arithmetic a [Simulator] uses.
type Model string

const (
	// ModelFull is the physically fuller model: usable state-of-charge
	// window, power limits, separate charge and discharge efficiencies,
	// standby loss, initial charge and capacity fade. It is what the zero
	// value of [Config.Model] means, because a Config that only names a
	// capacity and an efficiency should describe a plausible battery.
	ModelFull Model = "full"

	// ModelSeed reproduces the seed article's generator operation for
	// operation: charge from export first (up to capacity), then discharge
	// to cover import with the whole round-trip efficiency applied on the
	// way out. It ignores time entirely, so it has no power limits, no
	// standby loss and no notion of gaps. It exists so that totals can be
	// checked against the generator (and the SQL function) to the Wh.
	ModelSeed Model = "seed"
)

// ParseModel turns a command-line word into a [Model]; the empty string
// means [ModelFull].
func ParseModel(s string) (Model, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", string(ModelFull):
		return ModelFull, nil
	case string(ModelSeed):
		return ModelSeed, nil
	}
	return "", fmt.Errorf("unknown battery model %q (want seed or full)", s)
}

// Config describes one battery. Energies are Wh, powers W, fractions are
// in [0,1]. Zero values are the documented defaults, so a Config literal
// only needs the fields that matter to the caller.
//
// What capacity means: CapacityWh is the nominal (nameplate) energy the
// cells can hold. Only the window between MinSoC and MaxSoC of it is
// usable, and with fade the capacity shrinks as the battery is cycled.
// "Stored" energy everywhere in this package is the energy in the cells,
// measured from completely flat, so it includes any reserve below MinSoC;
// the state of charge is stored energy divided by CapacityWh.
type Config struct {
	// Name labels the configuration in reports. Default: the capacity,
	// e.g. "13.5 kWh".
	Name string

	// Model selects the arithmetic. Default: ModelFull.
	Model Model

	// CapacityWh is the nominal capacity in Wh. Required, > 0.
	CapacityWh float64

	// Efficiency is the round-trip efficiency in (0,1]. In ModelSeed it is
	// applied entirely on discharge, as the seed did. In ModelFull it is
	// split as its square root on each way unless ChargeEfficiency or
	// DischargeEfficiency say otherwise. Required unless both one-way
	// efficiencies are given.
	Efficiency float64

	// ChargeEfficiency is the fraction of AC energy taken from surplus
	// export that ends up in the cells (ModelFull only). Default: derived
	// from Efficiency (sqrt, or Efficiency/DischargeEfficiency).
	ChargeEfficiency float64

	// DischargeEfficiency is the fraction of energy drawn from the cells
	// that reaches the household's load (ModelFull only). Default: derived
	// from Efficiency (sqrt, or Efficiency/ChargeEfficiency).
	DischargeEfficiency float64

	// MinSoC is the lowest state of charge (fraction of capacity) the
	// battery management system lets the battery discharge to (ModelFull
	// only). Default 0.
	MinSoC float64

	// MaxSoC is the highest state of charge (fraction of capacity) the
	// battery charges to (ModelFull only). Default (zero): 1.
	MaxSoC float64

	// ChargePowerW caps the AC power drawn from surplus export. The energy
	// limit of an interval is this power times the interval's real length,
	// so 5-minute and 30-minute data are limited alike (ModelFull only).
	// Default (zero): unlimited.
	ChargePowerW float64

	// DischargePowerW caps the AC power delivered to the load, scaled by
	// the interval's length like ChargePowerW (ModelFull only). Default
	// (zero): unlimited.
	DischargePowerW float64

	// StandbyW is a constant drain on the cells (battery management
	// electronics, inverter idle), applied for every interval and every
	// gap in the data (ModelFull only). Default 0.
	StandbyW float64

	// SelfDischargePerDay is the fraction of stored energy lost per day,
	// compounded, so a long gap in the data cannot drain more than the
	// battery holds (ModelFull only). Default 0; must be < 1.
	SelfDischargePerDay float64

	// InitialSoC is the state of charge at the start of the data as a
	// fraction of capacity (ModelFull only). A value outside the usable
	// window starts at the nearest bound, because the battery management
	// system keeps the charge inside it. Default 0: the bottom of the
	// window.
	InitialSoC float64

	// FadePerCycle is the fraction of nominal capacity lost per equivalent
	// full cycle (linear fade with throughput; ModelFull only). For
	// example 0.2/6000 loses 20% over 6000 cycles. The window bounds
	// shrink with the capacity. Default 0: no fade.
	FadePerCycle float64
}

// Label is the name used in reports: Name, or the capacity in kWh.
func (c Config) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return strconv.FormatFloat(c.CapacityWh/1000, 'f', -1, 64) + " kWh"
}

// ErrInvalidConfig is wrapped by every validation error so callers can
// tell a user mistake from a failure of the data source.
var ErrInvalidConfig = errors.New("invalid battery configuration")

// configError keeps the message a one-liner suitable for the CLI while
// still matching ErrInvalidConfig with errors.Is.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }
func (e *configError) Is(target error) bool {
	return target == ErrInvalidConfig
}

func invalid(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// finite reports whether v is an ordinary number; NaN and ±Inf in a
// configuration are always mistakes.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate reports the first problem with c as a one-line error that
// wraps [ErrInvalidConfig]. The messages name the setting the way a user
// would (capacity, efficiency, power), because they end up on stderr.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

// params is a Config with defaults applied and efficiencies resolved, in
// the shape the hot loop wants.
type params struct {
	model        Model
	capacity     float64 // nominal Wh
	roundTrip    float64
	etaC, etaD   float64
	minSoC       float64
	maxSoC       float64
	chargeW      float64 // 0: unlimited
	dischargeW   float64 // 0: unlimited
	standbyW     float64
	selfPerDay   float64
	initialSoC   float64
	fadePerCycle float64
	split        string // how the efficiencies were obtained, for Convention
}

func (c Config) resolve() (params, error) {
	model := c.Model
	if model == "" {
		model = ModelFull
	}
	if model != ModelFull && model != ModelSeed {
		return params{}, invalid("unknown battery model %q (want seed or full)", string(model))
	}
	if !finite(c.CapacityWh) || c.CapacityWh <= 0 {
		return params{}, invalid("battery capacity must be greater than 0 Wh, got %v", c.CapacityWh)
	}
	checkEff := func(name string, v float64) error {
		if !finite(v) || v <= 0 || v > 1 {
			return invalid("%s must be in (0, 1], got %v", name, v)
		}
		return nil
	}
	p := params{model: model, capacity: c.CapacityWh, minSoC: 0, maxSoC: 1}

	if model == ModelSeed {
		if err := checkEff("battery efficiency", c.Efficiency); err != nil {
			return params{}, err
		}
		// Refuse full-model settings rather than silently ignoring them:
		// a user asking for a 5 kW limit on the seed model would otherwise
		// get numbers that do not mean what they think.
		for _, f := range []struct {
			name string
			v    float64
		}{
			{"charge efficiency", c.ChargeEfficiency},
			{"discharge efficiency", c.DischargeEfficiency},
			{"minimum state of charge", c.MinSoC},
			{"maximum state of charge", c.MaxSoC},
			{"charge power", c.ChargePowerW},
			{"discharge power", c.DischargePowerW},
			{"standby loss", c.StandbyW},
			{"self-discharge", c.SelfDischargePerDay},
			{"initial state of charge", c.InitialSoC},
			{"capacity fade", c.FadePerCycle},
		} {
			if f.v != 0 {
				return params{}, invalid("the seed battery model has no %s setting; use the full model", f.name)
			}
		}
		p.roundTrip = c.Efficiency
		p.etaC, p.etaD = 1, c.Efficiency
		p.split = "seed"
		return p, nil
	}

	// Efficiencies: any two of (round trip, charge, discharge) determine
	// the third; one round-trip figure is split evenly.
	rt, ec, ed := c.Efficiency, c.ChargeEfficiency, c.DischargeEfficiency
	for _, f := range []struct {
		name string
		v    float64
	}{{"battery efficiency", rt}, {"charge efficiency", ec}, {"discharge efficiency", ed}} {
		if f.v != 0 {
			if err := checkEff(f.name, f.v); err != nil {
				return params{}, err
			}
		}
	}
	switch {
	case ec != 0 && ed != 0:
		if rt != 0 && math.Abs(ec*ed-rt) > 1e-9 {
			return params{}, invalid("charge efficiency %v × discharge efficiency %v is %v, not the round-trip efficiency %v", ec, ed, ec*ed, rt)
		}
		p.split = "given"
	case rt == 0:
		return params{}, invalid("battery efficiency is required (round trip, in (0, 1])")
	case ec != 0:
		ed = rt / ec
		if ed > 1 {
			return params{}, invalid("round-trip efficiency %v is higher than charge efficiency %v", rt, ec)
		}
		p.split = "discharge derived"
	case ed != 0:
		ec = rt / ed
		if ec > 1 {
			return params{}, invalid("round-trip efficiency %v is higher than discharge efficiency %v", rt, ed)
		}
		p.split = "charge derived"
	default:
		ec = math.Sqrt(rt)
		ed = ec
		p.split = "sqrt"
	}
	p.etaC, p.etaD, p.roundTrip = ec, ed, ec*ed

	p.minSoC, p.maxSoC = c.MinSoC, c.MaxSoC
	if p.maxSoC == 0 {
		p.maxSoC = 1
	}
	if !finite(p.minSoC) || !finite(p.maxSoC) || p.minSoC < 0 || p.maxSoC > 1 || p.minSoC >= p.maxSoC {
		return params{}, invalid("state-of-charge window must satisfy 0 ≤ min < max ≤ 1, got min %v max %v", p.minSoC, p.maxSoC)
	}
	if !finite(c.InitialSoC) || c.InitialSoC < 0 || c.InitialSoC > 1 {
		return params{}, invalid("initial state of charge must be in [0, 1], got %v", c.InitialSoC)
	}
	p.initialSoC = math.Min(math.Max(c.InitialSoC, p.minSoC), p.maxSoC)
	for _, f := range []struct {
		name string
		v    float64
	}{{"charge power", c.ChargePowerW}, {"discharge power", c.DischargePowerW}, {"standby loss", c.StandbyW}} {
		if !finite(f.v) || f.v < 0 {
			return params{}, invalid("%s must not be negative, got %v W", f.name, f.v)
		}
	}
	p.chargeW, p.dischargeW, p.standbyW = c.ChargePowerW, c.DischargePowerW, c.StandbyW
	if !finite(c.SelfDischargePerDay) || c.SelfDischargePerDay < 0 || c.SelfDischargePerDay >= 1 {
		return params{}, invalid("self-discharge must be in [0, 1) per day, got %v", c.SelfDischargePerDay)
	}
	p.selfPerDay = c.SelfDischargePerDay
	if !finite(c.FadePerCycle) || c.FadePerCycle < 0 || c.FadePerCycle >= 1 {
		return params{}, invalid("capacity fade must be in [0, 1) per cycle, got %v", c.FadePerCycle)
	}
	p.fadePerCycle = c.FadePerCycle
	return p, nil
}

// Convention explains, in one line for a report, which efficiency
// convention the configuration uses and what its capacity means. Reports
// print it because "90% efficient, 13.5 kWh" means different things in
// different tools. It returns the validation error for a bad Config.
func (c Config) Convention() (string, error) {
	p, err := c.resolve()
	if err != nil {
		return "", err
	}
	return p.convention(), nil
}

func (p params) convention() string {
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	wh := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + " Wh" }
	if p.model == ModelSeed {
		return "seed model: round-trip efficiency " + g(p.roundTrip) +
			" applied entirely on discharge; all of the " + wh(p.capacity) +
			" capacity is usable; no power limits or standby loss"
	}
	var eff string
	switch p.split {
	case "sqrt":
		eff = "round-trip efficiency " + g(p.roundTrip) + " split evenly: " + g(p.etaC) +
			" on charge and " + g(p.etaD) + " on discharge (square root each way)"
	case "given":
		eff = "charge efficiency " + g(p.etaC) + " and discharge efficiency " + g(p.etaD) +
			" as given (round trip " + g(p.roundTrip) + ")"
	default:
		eff = "charge efficiency " + g(p.etaC) + ", discharge efficiency " + g(p.etaD) +
			" (round trip " + g(p.roundTrip) + ", " + p.split + ")"
	}
	usable := (p.maxSoC - p.minSoC) * p.capacity
	s := "full model: " + eff + "; capacity " + wh(p.capacity) + " nominal, usable " +
		g(p.minSoC*100) + "–" + g(p.maxSoC*100) + "% of it = " + wh(usable)
	if p.fadePerCycle > 0 {
		s += ", fading " + g(p.fadePerCycle*100) + "% of nominal per equivalent full cycle"
	}
	return s
}
