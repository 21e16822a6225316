package tariff

import "math"

// Slots: pricing many streams of short intervals with one Add per stream
// per half-hour instead of one per interval.
//
// Added by the battery report (internal/report), which prices the data
// without a battery and with up to fifty battery configurations in one
// pass: with 5-minute data, six intervals in a row share everything the
// pricing depends on (billing period, local day, demand half-hour and the
// components whose windows contain them), so their energies can be summed
// first and added once, which makes pricing a sweep a sixth of the work.

// SameSlot reports whether the intervals at a and b are priced alike: same
// billing period, local day, demand half-hour and set of components in
// whose windows they fall. For such intervals, adding their energies one by
// one or adding their sums once with [Accumulator.AddSlot] give the same
// costs, up to float rounding.
func (a Instant) SameSlot(b Instant) bool {
	return a.period == b.period && a.day == b.day && a.block == b.block && a.mask == b.mask
}

// AddSlot adds n consecutive intervals of one slot at once: importWh and
// exportWh are their summed energies (missing values left out) and in the
// instant of the first of them. The day's interval count grows by n, as if
// they had been added one at a time (outside every billing period, n
// uncovered intervals are counted, all at the first one's time). Like
// [Accumulator.Add], slots must come in time order.
func (a *Accumulator) AddSlot(in Instant, n int, importWh, exportWh float64) {
	a.AddSlotCL(in, n, importWh, exportWh, math.NaN())
}

// AddSlotCL is [Accumulator.AddSlot] with the slot's controlled load (see
// [Accumulator.AddCL]); NaN when none of its intervals metered any.
func (a *Accumulator) AddSlotCL(in Instant, n int, importWh, exportWh, controlledWh float64) {
	if in.period >= 0 {
		a.add(in, max(n, 1), importWh, exportWh, controlledWh)
		return
	}
	a.Add(in, importWh, exportWh)
	for ; n > 1; n-- {
		a.Add(in, 0, 0)
	}
}
