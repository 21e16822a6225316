package battery

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestConfigValidateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string // fragment of the one-line message
	}{
		{"zero capacity", Config{CapacityWh: 0, Efficiency: 0.9}, "capacity must be greater than 0"},
		{"negative capacity", Config{CapacityWh: -5, Efficiency: 0.9}, "capacity must be greater than 0"},
		{"NaN capacity", Config{CapacityWh: math.NaN(), Efficiency: 0.9}, "capacity"},
		{"seed zero capacity", Config{Model: ModelSeed, CapacityWh: 0, Efficiency: 0.9}, "capacity must be greater than 0"},
		{"missing efficiency", Config{CapacityWh: 1000}, "efficiency is required"},
		{"seed missing efficiency", Config{Model: ModelSeed, CapacityWh: 1000}, "efficiency must be in (0, 1]"},
		{"efficiency above one", Config{CapacityWh: 1000, Efficiency: 1.2}, "efficiency must be in (0, 1]"},
		{"negative efficiency", Config{CapacityWh: 1000, Efficiency: -0.9}, "efficiency must be in (0, 1]"},
		{"seed efficiency above one", Config{Model: ModelSeed, CapacityWh: 1000, Efficiency: 1.01}, "efficiency must be in (0, 1]"},
		{"charge efficiency above one", Config{CapacityWh: 1000, ChargeEfficiency: 1.1, DischargeEfficiency: 0.9}, "charge efficiency must be in (0, 1]"},
		{"inconsistent efficiencies", Config{CapacityWh: 1000, Efficiency: 0.9, ChargeEfficiency: 0.9, DischargeEfficiency: 0.9}, "not the round-trip efficiency"},
		{"round trip above one way", Config{CapacityWh: 1000, Efficiency: 0.9, ChargeEfficiency: 0.8}, "higher than charge efficiency"},
		{"min above max", Config{CapacityWh: 1000, Efficiency: 0.9, MinSoC: 0.8, MaxSoC: 0.5}, "state-of-charge window"},
		{"min equals max", Config{CapacityWh: 1000, Efficiency: 0.9, MinSoC: 0.5, MaxSoC: 0.5}, "state-of-charge window"},
		{"negative min", Config{CapacityWh: 1000, Efficiency: 0.9, MinSoC: -0.1}, "state-of-charge window"},
		{"max above one", Config{CapacityWh: 1000, Efficiency: 0.9, MaxSoC: 1.5}, "state-of-charge window"},
		{"initial above one", Config{CapacityWh: 1000, Efficiency: 0.9, InitialSoC: 2}, "initial state of charge"},
		{"negative charge power", Config{CapacityWh: 1000, Efficiency: 0.9, ChargePowerW: -1}, "charge power must not be negative"},
		{"negative discharge power", Config{CapacityWh: 1000, Efficiency: 0.9, DischargePowerW: -5000}, "discharge power must not be negative"},
		{"negative standby", Config{CapacityWh: 1000, Efficiency: 0.9, StandbyW: -1}, "standby loss must not be negative"},
		{"self-discharge of a whole day", Config{CapacityWh: 1000, Efficiency: 0.9, SelfDischargePerDay: 1}, "self-discharge"},
		{"negative fade", Config{CapacityWh: 1000, Efficiency: 0.9, FadePerCycle: -0.01}, "capacity fade"},
		{"unknown model", Config{Model: "magic", CapacityWh: 1000, Efficiency: 0.9}, "unknown battery model"},
		{"seed with power limit", Config{Model: ModelSeed, CapacityWh: 1000, Efficiency: 0.9, ChargePowerW: 5000}, "no charge power setting"},
		{"seed with window", Config{Model: ModelSeed, CapacityWh: 1000, Efficiency: 0.9, MinSoC: 0.1}, "no minimum state of charge setting"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error mentioning %q", tc.cfg, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %q does not wrap ErrInvalidConfig", err)
			}
			if _, err := NewSimulator(tc.cfg, 0); err == nil {
				t.Error("NewSimulator accepted the configuration")
			}
		})
	}
}

func TestConfigEfficiencyConventions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		cfg          Config
		etaC, etaD   float64
		conventionIn string
	}{
		{"round trip split by square root", Config{CapacityWh: 10000, Efficiency: 0.81}, 0.9, 0.9, "square root each way"},
		{"both given", Config{CapacityWh: 10000, ChargeEfficiency: 0.95, DischargeEfficiency: 0.9}, 0.95, 0.9, "as given"},
		{"discharge derived", Config{CapacityWh: 10000, Efficiency: 0.9, ChargeEfficiency: 1}, 1, 0.9, "discharge derived"},
		{"charge derived", Config{CapacityWh: 10000, Efficiency: 0.72, DischargeEfficiency: 0.9}, 0.8, 0.9, "charge derived"},
		{"all three consistent", Config{CapacityWh: 10000, Efficiency: 0.81, ChargeEfficiency: 0.9, DischargeEfficiency: 0.9}, 0.9, 0.9, "as given"},
		{"seed", Config{Model: ModelSeed, CapacityWh: 13500, Efficiency: 0.9}, 1, 0.9, "applied entirely on discharge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := tc.cfg.resolve()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(p.etaC-tc.etaC) > 1e-12 || math.Abs(p.etaD-tc.etaD) > 1e-12 {
				t.Errorf("efficiencies %v/%v, want %v/%v", p.etaC, p.etaD, tc.etaC, tc.etaD)
			}
			conv, err := tc.cfg.Convention()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(conv, tc.conventionIn) {
				t.Errorf("convention %q lacks %q", conv, tc.conventionIn)
			}
		})
	}
}

func TestConventionSaysWhatCapacityMeans(t *testing.T) {
	t.Parallel()
	conv, err := Config{CapacityWh: 13500, Efficiency: 0.9, MinSoC: 0.1, MaxSoC: 0.9}.Convention()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"13500 Wh nominal", "usable 10–90%", "10800 Wh"} {
		if !strings.Contains(conv, want) {
			t.Errorf("convention %q lacks %q", conv, want)
		}
	}
}

func TestParseModelAndLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Model{"": ModelFull, "full": ModelFull, "Seed": ModelSeed, " seed ": ModelSeed} {
		got, err := ParseModel(in)
		if err != nil || got != want {
			t.Errorf("ParseModel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseModel("lead-acid"); err == nil {
		t.Error("ParseModel accepted an unknown model")
	}
	if got := (Config{CapacityWh: 13500}).Label(); got != "13.5 kWh" {
		t.Errorf("Label = %q", got)
	}
	if got := (Config{Name: "Powerwall", CapacityWh: 13500}).Label(); got != "Powerwall" {
		t.Errorf("Label = %q", got)
	}
}
