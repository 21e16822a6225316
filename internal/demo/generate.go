// Package demo generates the sample household that `solarview demo` loads:
// one deterministic year of 5-minute data for a house in Adelaide with a
// 6.6 kW rooftop PV system.
//
// The data is synthetic but shaped like the real thing, so a battery report
// over it behaves like one over a real home: PV follows the sun's elevation
// through the seasons and is thinned by weather that persists for days and
// flickers within them; the household load has a base, a fridge, a morning
// and an evening peak, heating in winter and cooling on hot summer
// afternoons. A fixed seed makes every run produce identical rows, which
// keeps the demo's report and its tests reproducible.
package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// Household describes the generated site.
type Household struct {
	// Name of the site.
	Name string
	// TimeZone is the site's IANA zone; the load follows local clock time.
	TimeZone string
	// Latitude in degrees (south negative) sets the sun's path.
	Latitude float64
	// Longitude in degrees sets solar noon relative to the clock.
	Longitude float64
	// PVCapacity is the array's peak output in watts.
	PVCapacity float64
	// Year is the calendar year generated, in local time.
	Year int
	// Step is the interval length.
	Step time.Duration
	// Seed makes the weather and appliance noise reproducible.
	Seed uint64
	// LoadScale multiplies the household's demand: 1.5 is a bigger, busier
	// household than the demo's. Zero means 1, so the demo's own year stays
	// as it always was.
	LoadScale float64
}

// Adelaide is the household `solarview demo` uses: 2024 is a leap year, so
// the year has 366 × 288 = 105,408 five-minute intervals.
var Adelaide = Household{
	Name:       "Demo house",
	TimeZone:   "Australia/Adelaide",
	Latitude:   -34.93,
	Longitude:  138.60,
	PVCapacity: 6600,
	Year:       2024,
	Step:       5 * time.Minute,
	Seed:       20240101,
}

// Interval is one generated interval. Energies are in Wh; Import and Export
// are the net flows through the meter (one of them is zero).
type Interval struct {
	Start       time.Time
	Generation  float64
	Consumption float64
	Import      float64
	Export      float64
	// Outdoor is the air temperature (°C) the weather model gave the
	// household's heating and cooling; the demo's sensors read from it.
	Outdoor float64
	// Sun is the share of the array's capacity the PV made (0–1), which
	// warms the roof space.
	Sun float64
}

// Generate calls fn for every interval of h's year, in time order, and stops
// at the first error fn returns. It holds no more than one day of state.
func (h Household) Generate(fn func(Interval) error) error {
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(h.Seed, h.Seed^0x9e3779b97f4a7c15))
	start := time.Date(h.Year, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(h.Year+1, 1, 1, 0, 0, 0, 0, loc)
	hours := h.Step.Hours()

	var w weather
	w.init(rng)
	day := -1
	for t := start; t.Before(end); t = t.Add(h.Step) {
		local := t.In(loc)
		if local.YearDay() != day {
			day = local.YearDay()
			w.newDay(rng, day)
		}
		w.step(rng)
		pv := h.pvPower(t, day) * w.clearness
		temp := w.temperature(local)
		load := h.loadPower(local, day, temp, rng)
		if h.LoadScale > 0 {
			load *= h.LoadScale
		}

		gen := round3(pv * hours)
		use := round3(load * hours)
		iv := Interval{Start: t, Generation: gen, Consumption: use, Outdoor: temp, Sun: pv / h.PVCapacity}
		if net := use - gen; net > 0 {
			iv.Import = round3(net)
		} else {
			iv.Export = round3(-net)
		}
		if err := fn(iv); err != nil {
			return err
		}
	}
	return nil
}

// pvPower is the array's clear-sky output in watts at t.
func (h Household) pvPower(t time.Time, day int) float64 {
	// Solar time from UTC and longitude; the equation of time is small
	// enough to leave out for a demo.
	utc := t.UTC()
	solarHours := float64(utc.Hour()) + float64(utc.Minute())/60 + h.Longitude/15
	hourAngle := (solarHours - 12) * 15 * math.Pi / 180
	decl := 23.44 * math.Pi / 180 * math.Sin(2*math.Pi*float64(284+day)/365)
	lat := h.Latitude * math.Pi / 180
	sinAlt := math.Sin(lat)*math.Sin(decl) + math.Cos(lat)*math.Cos(decl)*math.Cos(hourAngle)
	if sinAlt <= 0 {
		return 0
	}
	// Panels tilted toward the equator catch low winter sun better than a
	// flat plate; a gentle power law on elevation captures air mass.
	return h.PVCapacity * 0.88 * math.Pow(sinAlt, 1.2) / math.Pow(math.Sin(78*math.Pi/180), 1.2)
}

// loadPower is the household's demand in watts.
func (h Household) loadPower(local time.Time, day int, temp float64, rng *rand.Rand) float64 {
	hour := float64(local.Hour()) + float64(local.Minute())/60
	weekend := local.Weekday() == time.Saturday || local.Weekday() == time.Sunday

	p := 220.0 // always-on: network gear, standby, hot-water controller
	if math.Mod(hour*60, 50) < 18 {
		p += 110 // fridge compressor cycle
	}
	morning := 7.0
	if weekend {
		morning = 8.5
	}
	p += 1300 * bump(hour, morning, 0.9)
	p += 2100 * bump(hour, 18.8, 1.6)
	if weekend {
		p += 600 * bump(hour, 13, 3) // home during the day
	}
	if temp < 13 && (hour > 6 && hour < 23) {
		p += (13 - temp) * 160 // heating
	}
	if temp > 28 && hour > 12 && hour < 22 {
		p += (temp - 28) * 280 // cooling
	}
	if rng.Float64() < 0.015 {
		p += 1500 + rng.Float64()*1500 // kettle, oven, washing machine
	}
	return p
}

// bump is a smooth peak of height 1 at centre with the given half-width.
func bump(x, centre, width float64) float64 {
	d := (x - centre) / width
	return math.Exp(-d * d)
}

// weather carries day-to-day persistence (fronts last a few days) and
// within-day flicker (passing cloud).
type weather struct {
	cloudiness float64 // 0 clear … 1 overcast, for the day
	flicker    float64
	clearness  float64 // share of clear-sky output reaching the panels now
	maxTemp    float64
	minTemp    float64
}

func (w *weather) init(rng *rand.Rand) {
	w.cloudiness = 0.3
}

func (w *weather) newDay(rng *rand.Rand, day int) {
	// Adelaide: dry summers, wetter winters (day ~180).
	winter := 0.5 - 0.5*math.Cos(2*math.Pi*float64(day-15)/366)
	mean := 0.18 + 0.32*winter
	w.cloudiness = clamp(0.6*w.cloudiness+0.4*mean+0.35*(rng.Float64()-0.5), 0, 1)
	w.maxTemp = 29 - 14*winter + 6*(rng.Float64()-0.5) - 6*w.cloudiness
	if rng.Float64() < 0.06*(1-winter) {
		w.maxTemp += 9 // a summer heatwave day
	}
	w.minTemp = w.maxTemp - 11
}

func (w *weather) step(rng *rand.Rand) {
	w.flicker = 0.85*w.flicker + 0.15*(rng.Float64()-0.5)*2
	w.clearness = clamp(1-0.75*w.cloudiness+0.35*w.cloudiness*w.flicker, 0.05, 1)
}

func (w *weather) temperature(local time.Time) float64 {
	hour := float64(local.Hour()) + float64(local.Minute())/60
	// Coolest near dawn, warmest mid-afternoon.
	return w.minTemp + (w.maxTemp-w.minTemp)*(0.5-0.5*math.Cos(2*math.Pi*(hour-5)/24))
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// round3 keeps energies to a milliwatt-hour so that the values stored and
// printed are tidy and exactly reproducible.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
