package report

import (
	"time"

	"github.com/solarview/solarview/internal/battery"
)

// profileSlot is the resolution of the typical-day profile: five minutes,
// the finest interval length solarview's data comes in.
const profileSlot = 5 * 60

// socProfile is a [battery.Sink] that averages the first configuration's
// state of charge by local time of day: "a typical day" for the chart. It
// keeps one sum per five minutes of the day, whatever the length of the
// data.
type socProfile struct {
	loc      *time.Location
	capacity float64
	sum      [24 * 60 * 60 / profileSlot]float64
	n        [24 * 60 * 60 / profileSlot]int
}

func newSOCProfile(loc *time.Location, capacityWh float64) *socProfile {
	return &socProfile{loc: loc, capacity: capacityWh}
}

// Interval implements [battery.Sink]. The state of charge is the one at
// the end of the interval, placed at the interval's end on the clock.
func (s *socProfile) Interval(in battery.Interval, out []battery.Result) error {
	h, m, sec := in.Start.Add(in.Duration).In(s.loc).Clock()
	i := (h*3600 + m*60 + sec) / profileSlot
	s.sum[i] += out[0].Stored / s.capacity
	s.n[i]++
	return nil
}

// Point is one point of the typical day: hours after local midnight and the
// average state of charge there, as a fraction of capacity.
type Point struct {
	Hour float64 `json:"hour"`
	SoC  float64 `json:"soc"`
}

// points returns the slots that saw data, in time-of-day order.
func (s *socProfile) points() []Point {
	var pts []Point
	for i := range s.sum {
		if s.n[i] > 0 {
			pts = append(pts, Point{Hour: float64(i*profileSlot) / 3600, SoC: s.sum[i] / float64(s.n[i])})
		}
	}
	return pts
}
