package ingest

import (
	"sort"
	"time"
)

// seriesKey identifies one series of rows in a file: a site's channel of
// metered intervals, its generation, or one of its registers.
type seriesKey struct {
	site    int
	kind    Kind
	channel string
}

// series is what the checking pass learns about one seriesKey.
type series struct {
	direction string
	rows      int64
	nonActual int64
	energy    float64 // Wh; for registers the last reading
	from, to  time.Time
	minDur    time.Duration
	maxDur    time.Duration
}

// fileStats summarises a whole file in memory proportional to its number of
// series, not its length.
type fileStats struct {
	series map[seriesKey]*series
	rows   int64
}

func newFileStats() *fileStats { return &fileStats{series: map[seriesKey]*series{}} }

func (s *fileStats) add(r *Row) {
	k := seriesKey{r.Site, r.Kind, r.Channel}
	ser := s.series[k]
	end := r.Start.Add(r.Duration)
	if ser == nil {
		ser = &series{direction: r.Direction, from: r.Start, to: end, minDur: r.Duration, maxDur: r.Duration}
		s.series[k] = ser
	}
	ser.rows++
	s.rows++
	if r.Quality != QualityActual {
		ser.nonActual++
	}
	if r.Kind == KindImportRegister || r.Kind == KindExportRegister {
		ser.energy = r.Energy
	} else {
		ser.energy += r.Energy
	}
	if r.Start.Before(ser.from) {
		ser.from = r.Start
	}
	if end.After(ser.to) {
		ser.to = end
	}
	ser.minDur = min(ser.minDur, r.Duration)
	ser.maxDur = max(ser.maxDur, r.Duration)
}

// keys returns the series in a stable order: by site, kind, channel.
func (s *fileStats) keys() []seriesKey {
	keys := make([]seriesKey, 0, len(s.series))
	for k := range s.series {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.site != b.site {
			return a.site < b.site
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.channel < b.channel
	})
	return keys
}

func (s *fileStats) has(kind Kind) bool {
	for k := range s.series {
		if k.kind == kind {
			return true
		}
	}
	return false
}
