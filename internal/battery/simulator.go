package battery

import (
	"math"
	"time"
)

// Interval is one metering interval as seen at the household's grid
// connection. Energies are Wh. A missing value (SQL NULL) is NaN: the
// battery does not act on it and the matching output stays NaN, so an
// unknown reading is never turned into a known one.
type Interval struct {
	// Start labels the beginning of the interval, as every timestamp in
	// the schema does.
	Start time.Time
	// Duration is the interval's real length. Zero means the nominal
	// length [Run] inferred or was given.
	Duration time.Duration
	// Import is the energy bought from the grid without a battery,
	// controlled load included.
	Import float64
	// Export is the surplus sent to the grid without a battery.
	Export float64
	// ControlledLoad is the part of Import metered on controlled-load
	// channels, NaN at a site that meters none. The battery does not
	// supply it (see the package documentation): it works on the rest of
	// the import, and the controlled load is imported with or without it.
	// To the battery 0 and NaN are alike; pricing tells them apart (a
	// controlled-load supply charge is due only where it is metered), so
	// a source for a site without that channel gives NaN.
	ControlledLoad float64
}

// servedBy returns the interval as the battery sees it, the general
// circuit's: in itself, or, when in has a controlled load, buf filled with
// a copy whose import leaves it out (never below zero: more controlled
// load than import is inconsistent data, not negative demand). cl is the
// controlled load to add back to the battery's import.
func servedBy(in, buf *Interval) (served *Interval, cl float64) {
	cl = in.ControlledLoad
	// cl == cl is false only for NaN, a controlled load not metered.
	if cl == 0 || cl != cl {
		return in, 0
	}
	*buf = *in
	buf.Import = max(in.Import-cl, 0)
	return buf, cl
}

// Result is what one configuration did during one interval. Energies are
// Wh; AC quantities are measured at the household side of the battery's
// inverter, losses are the difference between AC and cell energy.
type Result struct {
	// Import and Export are the grid flows with the battery; NaN when the
	// input was missing.
	Import, Export float64
	// Stored is the energy in the cells at the end of the interval.
	Stored float64
	// Charged is the surplus taken into the battery (AC side); Discharged
	// the energy delivered to the load (AC side).
	Charged, Discharged float64
	// ChargeLoss and DischargeLoss are conversion losses; StandbyLoss the
	// standby drain and self-discharge; FadeLoss energy that no longer fit
	// when the capacity faded below what was stored.
	ChargeLoss, DischargeLoss, StandbyLoss, FadeLoss float64
}

// Losses is the sum of every loss in the interval.
func (r Result) Losses() float64 {
	return r.ChargeLoss + r.DischargeLoss + r.StandbyLoss + r.FadeLoss
}

// Totals accumulates one configuration over a run. Sums skip missing
// (NaN) values, like SQL's sum skips NULL, so baseline and battery totals
// always cover the same readings.
type Totals struct {
	// Config is the configuration as given; Convention explains its
	// efficiency convention and what its capacity means.
	Config     Config
	Convention string

	// Intervals is the number of intervals stepped.
	Intervals int

	// BaselineImportWh and BaselineExportWh are the data without a
	// battery; ImportWh and ExportWh with it.
	BaselineImportWh, BaselineExportWh float64
	ImportWh, ExportWh                 float64

	// ChargedWh and DischargedWh are AC energies into and out of the
	// battery: the energy shifted.
	ChargedWh, DischargedWh float64

	ChargeLossWh, DischargeLossWh, StandbyLossWh, FadeLossWh float64

	// InitialStoredWh and FinalStoredWh close the energy balance:
	// Charged − Discharged − losses = Final − Initial.
	InitialStoredWh, FinalStoredWh float64
	// MinStoredWh and MaxStoredWh are the extremes seen at interval
	// ends (and after gaps); MinSoC and MaxSoC the same as fractions of
	// nominal capacity.
	MinStoredWh, MaxStoredWh float64
	MinSoC, MaxSoC           float64

	// UsableWh is the nominal usable capacity (window × capacity);
	// FinalCapacityWh the capacity left after fade.
	UsableWh, FinalCapacityWh float64

	// EquivalentFullCycles is cell throughput (in plus out) divided by
	// twice the nominal usable capacity: one full charge and discharge of
	// the usable window counts as one cycle.
	EquivalentFullCycles float64
}

// LossesWh is the sum of all losses.
func (t *Totals) LossesWh() float64 {
	return t.ChargeLossWh + t.DischargeLossWh + t.StandbyLossWh + t.FadeLossWh
}

// Simulator is the state of one battery configuration. It is a value the
// sweep keeps in a slice, so fifty configurations are fifty structs side
// by side rather than fifty heap objects behind interfaces. The fields a
// step touches come first and the rest last, so a fifty-way sweep stays
// in the CPU's first-level cache. A Simulator is not safe for concurrent
// use.
type Simulator struct {
	// Hot: read or written by every step.
	seed       bool
	stored     float64
	capacity   float64 // current capacity after fade, Wh
	lo, hi     float64 // current window bounds, Wh
	etaC, etaD float64
	throughput float64 // cell energy in plus out, Wh
	fadePerWh  float64 // capacity fraction lost per Wh of throughput

	// Per-duration constants cached for the common case where every
	// interval has the same length; recomputed when it changes.
	dt         time.Duration
	chargeMax  float64 // AC Wh per interval; +Inf when unlimited
	dischMax   float64
	standbyWh  float64
	selfFactor float64 // fraction of stored energy kept over dt
	drains     bool    // standby or self-discharge configured

	acc accumulators

	// Cold: set up once, read when reporting.
	p          params
	nominal    time.Duration
	usable     float64 // nominal usable capacity, Wh
	initial    float64
	cfg        Config
	convention string
}

// accumulators are the running sums behind [Totals], kept apart from
// Totals so the hot part of a Simulator stays small.
type accumulators struct {
	intervals                 int
	baseImport, baseExport    float64
	imp, exp                  float64
	charged, discharged       float64
	chargeLoss, dischargeLoss float64
	standbyLoss, fadeLoss     float64
	minStored, maxStored      float64
}

// NewSimulator validates cfg and returns a battery at its initial state
// of charge. nominal is the interval length used for intervals whose
// Duration is zero; it only matters to the full model, where an interval
// of no length moves no energy through a power limit and pays no
// standby loss. [Run] infers it; a direct caller must supply it.
func NewSimulator(cfg Config, nominal time.Duration) (*Simulator, error) {
	s := &Simulator{}
	if err := s.init(cfg, nominal); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Simulator) init(cfg Config, nominal time.Duration) error {
	p, err := cfg.resolve()
	if err != nil {
		return err
	}
	*s = Simulator{p: p, nominal: nominal, cfg: cfg, convention: p.convention()}
	s.seed = p.model == ModelSeed
	s.drains = p.standbyW > 0 || p.selfPerDay > 0
	s.etaC, s.etaD = p.etaC, p.etaD
	s.capacity = p.capacity
	s.lo, s.hi = p.minSoC*p.capacity, p.maxSoC*p.capacity
	s.usable = s.hi - s.lo
	s.fadePerWh = p.fadePerCycle / (2 * s.usable)
	if !s.seed {
		s.stored = p.initialSoC * p.capacity
	}
	s.initial = s.stored
	s.acc.minStored, s.acc.maxStored = s.stored, s.stored
	s.dt = -1 // force the per-duration cache to fill on first use
	return nil
}

// Stored is the energy in the cells now.
func (s *Simulator) Stored() float64 { return s.stored }

// Totals returns what the battery did so far.
func (s *Simulator) Totals() Totals {
	a := &s.acc
	return Totals{
		Config:               s.cfg,
		Convention:           s.convention,
		Intervals:            a.intervals,
		BaselineImportWh:     a.baseImport,
		BaselineExportWh:     a.baseExport,
		ImportWh:             a.imp,
		ExportWh:             a.exp,
		ChargedWh:            a.charged,
		DischargedWh:         a.discharged,
		ChargeLossWh:         a.chargeLoss,
		DischargeLossWh:      a.dischargeLoss,
		StandbyLossWh:        a.standbyLoss,
		FadeLossWh:           a.fadeLoss,
		InitialStoredWh:      s.initial,
		FinalStoredWh:        s.stored,
		MinStoredWh:          a.minStored,
		MaxStoredWh:          a.maxStored,
		MinSoC:               a.minStored / s.p.capacity,
		MaxSoC:               a.maxStored / s.p.capacity,
		UsableWh:             s.usable,
		FinalCapacityWh:      s.capacity,
		EquivalentFullCycles: s.throughput / (2 * s.usable),
	}
}

// Step advances the battery by one interval and returns what happened.
// Intervals must be given in time order; [Run] checks that and calls
// [Simulator.Wait] for gaps, a direct caller must do the same.
func (s *Simulator) Step(in Interval) Result {
	var r Result
	var buf Interval
	served, cl := servedBy(&in, &buf)
	s.step(&in, served, cl, &r)
	return r
}

// step is Step writing through pointers: a sweep steps every
// configuration for every interval, and copying a 48-byte Interval in and
// a 72-byte Result out of each call was a third of the sweep's time. in is
// the interval as metered, served and cl what [servedBy] made of it, once
// for every configuration.
func (s *Simulator) step(in, served *Interval, cl float64, r *Result) {
	if s.seed {
		s.stepSeed(served, r)
	} else {
		s.stepFull(served, r)
	}
	if cl != 0 {
		r.Import += cl
	}
	a := &s.acc
	a.intervals++
	// x == x is false only for NaN: the cheapest "not missing" test.
	if in.Import == in.Import {
		a.baseImport += in.Import
		a.imp += r.Import
	}
	if in.Export == in.Export {
		a.baseExport += in.Export
		a.exp += r.Export
	}
	a.charged += r.Charged
	a.discharged += r.Discharged
	a.chargeLoss += r.ChargeLoss
	a.dischargeLoss += r.DischargeLoss
	a.standbyLoss += r.StandbyLoss
	a.fadeLoss += r.FadeLoss
	s.track()
}

func (s *Simulator) track() {
	if s.stored < s.acc.minStored {
		s.acc.minStored = s.stored
	}
	if s.stored > s.acc.maxStored {
		s.acc.maxStored = s.stored
	}
}

// stepSeed is the seed's generator body. The branch conditions mirror
// Python truthiness: a reading of 0 or None (NaN here) skips the branch,
// while a negative reading is truthy and is applied as it is, which can
// take the stored energy below zero exactly as the generator would. Keep
// the operations and their order: the golden test compares to 1e-9 Wh.
func (s *Simulator) stepSeed(in *Interval, r *Result) {
	capacity, eff := s.capacity, s.etaD
	energy := s.stored

	export := in.Export
	if export != 0 && export == export && energy < capacity {
		energy += export
		if energy > capacity {
			export = energy - capacity
			energy = capacity
		} else {
			export = 0
		}
	}
	afterCharge := energy

	imp := in.Import
	if imp != 0 && imp == imp && energy > 0 {
		energy -= imp / eff
		if energy < 0 {
			imp = -energy * eff
			energy = 0
		} else {
			imp = 0
		}
	}

	*r = Result{Import: imp, Export: export, Stored: energy}
	if in.Export == in.Export {
		r.Charged = in.Export - export
	}
	if in.Import == in.Import {
		r.Discharged = in.Import - imp
		r.DischargeLoss = (afterCharge - energy) - r.Discharged
	}
	s.stored = energy
	s.throughput += r.Charged + (afterCharge - energy)
}

// setDuration refreshes the per-interval constants for an interval of
// length dt. Power limits become energy limits here, so a 30-minute
// interval may move six times what a 5-minute one may.
func (s *Simulator) setDuration(dt time.Duration) {
	s.dt = dt
	hours := dt.Hours()
	s.chargeMax, s.dischMax = math.Inf(1), math.Inf(1)
	if s.p.chargeW > 0 {
		s.chargeMax = s.p.chargeW * hours
	}
	if s.p.dischargeW > 0 {
		s.dischMax = s.p.dischargeW * hours
	}
	s.standbyWh = s.p.standbyW * hours
	s.selfFactor = 1
	if s.p.selfPerDay > 0 {
		s.selfFactor = math.Pow(1-s.p.selfPerDay, hours/24)
	}
}

// stepFull charges from surplus first and then discharges to cover
// import, like the seed, because within one interval of net metering
// data the order is unknown and keeping the seed's order makes the two
// models comparable. Each direction is limited by its own power limit;
// a real inverter cannot do both at full power in the same interval,
// but net interval data rarely has both flows at once.
func (s *Simulator) stepFull(in *Interval, r *Result) {
	dt := in.Duration
	if dt == 0 {
		dt = s.nominal
	}
	if dt != s.dt {
		s.setDuration(dt)
	}
	*r = Result{Import: in.Import, Export: in.Export}

	// Charge. NaN > 0 is false, so a missing or negative export is left
	// alone: the battery never acts on energy the data does not show.
	if in.Export > 0 && s.stored < s.hi {
		take := in.Export
		if take > s.chargeMax {
			take = s.chargeMax
		}
		gain := take * s.etaC
		if room := s.hi - s.stored; gain >= room {
			gain = room
			take = room / s.etaC
			s.stored = s.hi
		} else {
			s.stored += gain
		}
		r.Charged = take
		r.ChargeLoss = take - gain
		r.Export = in.Export - take
		s.throughput += gain
	}

	// Discharge, never below the bottom of the window.
	if in.Import > 0 && s.stored > s.lo {
		give := in.Import
		if give > s.dischMax {
			give = s.dischMax
		}
		draw := give / s.etaD
		if avail := s.stored - s.lo; draw >= avail {
			draw = avail
			give = avail * s.etaD
			s.stored = s.lo
		} else {
			s.stored -= draw
		}
		r.Discharged = give
		r.DischargeLoss = draw - give
		r.Import = in.Import - give
		s.throughput += draw
	}

	if s.drains {
		r.StandbyLoss = s.standby()
	}
	if s.fadePerWh > 0 && (r.Charged > 0 || r.Discharged > 0) {
		r.FadeLoss = s.fade()
	}
	r.Stored = s.stored
}

// standby drains the cells for the current duration. It takes from
// below the window too (self-discharge does not respect a BMS reserve)
// but never below empty. An empty battery whose electronics would then
// draw from the grid is not modelled.
func (s *Simulator) standby() float64 {
	loss := s.stored*(1-s.selfFactor) + s.standbyWh
	if loss > s.stored {
		loss = s.stored
	}
	if loss <= 0 {
		return 0
	}
	s.stored -= loss
	return loss
}

// fade shrinks the capacity linearly with throughput and returns the
// energy that no longer fits under the new top of the window. It runs
// only after the battery moved energy, since fade follows throughput.
func (s *Simulator) fade() float64 {
	keep := 1 - s.fadePerWh*s.throughput
	if keep < 0 {
		keep = 0
	}
	s.capacity = s.p.capacity * keep
	s.lo, s.hi = s.p.minSoC*s.capacity, s.p.maxSoC*s.capacity
	if s.stored > s.hi {
		lost := s.stored - s.hi
		s.stored = s.hi
		return lost
	}
	return 0
}

// Wait lets time pass with no data: a gap. The battery neither charges
// nor discharges, because inventing energy flows for missing readings
// would flatter it; the full model still pays its standby loss. It
// returns the loss in Wh (always 0 for the seed model, which has no
// notion of time).
func (s *Simulator) Wait(d time.Duration) float64 {
	if !s.drains || d <= 0 {
		return 0
	}
	if d != s.dt {
		s.setDuration(d)
	}
	loss := s.standby()
	s.acc.standbyLoss += loss
	s.track()
	return loss
}
