package demo

import "fmt"

// city places a fleet household: its clock and the sun's path over it.
type city struct {
	zone                string
	latitude, longitude float64
}

// fleetCities spread a fleet over Australia's time zones, daylight saving
// and none, half-hour offsets included, so a many-site run meets every kind
// of local day a real portfolio does.
var fleetCities = []city{
	{"Australia/Adelaide", -34.93, 138.60},
	{"Australia/Sydney", -33.87, 151.21},
	{"Australia/Melbourne", -37.81, 144.96},
	{"Australia/Brisbane", -27.47, 153.03},
	{"Australia/Perth", -31.95, 115.86},
	{"Australia/Hobart", -42.88, 147.33},
	{"Australia/Darwin", -12.46, 130.84},
}

// FleetHousehold is the i-th household (from 0) of a generated fleet: the
// demo's year with its own weather and appliance noise (seed), PV array
// (3 to 13 kW), household demand (0.6× to 1.6× the demo's) and city. The
// same i always gives the same household, and no two of the first
// thousands share a seed, so a fleet of N sites is N distinct site-years.
func FleetHousehold(i int) Household {
	h := Adelaide
	c := fleetCities[i%len(fleetCities)]
	h.Name = fmt.Sprintf("fleet-%05d", i+1)
	h.TimeZone, h.Latitude, h.Longitude = c.zone, c.latitude, c.longitude
	// Strides coprime with the number of cities, so size and demand do not
	// repeat with the city.
	h.PVCapacity = 3000 + float64((i*3)%21)*500
	h.LoadScale = 0.6 + float64((i*5)%11)*0.1
	h.Seed = Adelaide.Seed + uint64(i+1)*7919
	return h
}
