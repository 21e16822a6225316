package tariff

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/solarview/solarview/models"
)

// ErrNoComponents is wrapped by the error for a tariff that prices nothing:
// pricing with it would report every bill as free.
var ErrNoComponents = errors.New("tariff has no components")

// maxComponents bounds a tariff's components so the engine can mark the ones
// that apply to an interval in one 64-bit mask.
const maxComponents = 64

// Tariff is a plan with its components, as the pricing engine uses it.
type Tariff struct {
	ID         int64
	Name       string
	Retailer   string
	Components []Component
}

// Validate checks each component and the tariff as a whole: it has
// components, its usage rates (if any) cover every instant of the week and
// year exactly once, and no two feed-in rates apply at the same instant.
func (t *Tariff) Validate() error {
	if len(t.Components) == 0 {
		return fmt.Errorf("tariff %q: %w: give it a supply charge or a rate", t.Name, ErrNoComponents)
	}
	if len(t.Components) > maxComponents {
		return fmt.Errorf("tariff %q has %d components; at most %d are supported", t.Name, len(t.Components), maxComponents)
	}
	for _, c := range t.Components {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("tariff %q: %w", t.Name, err)
		}
	}
	if err := CheckCoverage(t.Components); err != nil {
		return fmt.Errorf("tariff %q: %w", t.Name, err)
	}
	return nil
}

// CheckCoverage checks that usage rates, when there are any, leave no
// instant unpriced and never price one twice, and that feed-in rates never
// overlap (an instant without a feed-in rate earns nothing). Controlled-load
// usage rates must not overlap either, but may leave instants out: a
// controlled-load circuit is only powered in some hours, and CDR plans give
// rates for those hours alone; controlled load metered outside them is
// priced at the general rates. Components must already be valid on their
// own.
//
// It is exact without walking every second of a year: membership of a
// window only changes at a window's start or end time, a season's first day
// or the day after its last, so one instant per (weekday, season segment,
// time segment) stands for all of its segment.
func CheckCoverage(comps []Component) error {
	type entry struct {
		c Component
		w Window
	}
	var usage, clUsage, feedIn []entry
	times := map[int32]bool{0: true}
	days := map[int16]bool{101: true}
	holidays := false
	clocks := map[bool]bool{}
	for _, c := range comps {
		cat := c.Category()
		if cat != Usage && cat != FeedIn {
			continue
		}
		w, err := CompileWindow(c.When())
		if err != nil {
			return err
		}
		switch {
		case cat == Usage && ForControlledLoad(c):
			clUsage = append(clUsage, entry{c, w})
		case cat == Usage:
			usage = append(usage, entry{c, w})
		default:
			feedIn = append(feedIn, entry{c, w})
		}
		holidays = holidays || w.UsesHolidays()
		if !w.IsAlways() {
			clocks[w.NEM()] = true
		}
		times[w.start] = true
		times[w.end%int32(models.Midnight24)] = true
		if w.seasonStart != 0 {
			days[w.seasonStart] = true
			days[nextMonthDay(w.seasonEnd)] = true
		}
	}
	if len(usage) == 0 && len(feedIn) < 2 && len(clUsage) < 2 {
		return nil
	}
	// Windows on the site's clock and on NEM time drift apart by an hour
	// with daylight saving; which instants they share depends on the site,
	// so a tariff keeps its rates on one clock.
	if len(clocks) > 1 {
		return errors.New("rates mix windows on local time and on NEM time; keep a tariff's rates on one clock")
	}
	holidayCases := []bool{false}
	if holidays {
		holidayCases = append(holidayCases, true)
	}
	bounds := sortedKeys(times)
	seasonDays := sortedKeys(days)
	seasonal := len(seasonDays) > 1
	week := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	for _, md := range seasonDays {
		for _, wd := range week {
			for i, s := range bounds {
				for _, hol := range holidayCases {
					end := int32(models.Midnight24)
					if i+1 < len(bounds) {
						end = bounds[i+1]
					}
					at := Clock{Weekday: wd, Second: s, MonthDay: md, Holiday: hol}
					where := dayNames[wd] + " " + models.ClockTime(s).String() + "–" + models.ClockTime(end).String()
					if hol {
						where = "a public holiday on a " + where
					}
					if seasonal {
						where += fmt.Sprintf(" from %02d-%02d", md/100, md%100)
					}
					var hits []Component
					for _, e := range usage {
						if e.w.Contains(at) {
							hits = append(hits, e.c)
						}
					}
					switch {
					case len(usage) > 0 && len(hits) == 0:
						return fmt.Errorf("no usage rate covers %s; usage rates must cover every instant", where)
					case len(hits) > 1:
						return fmt.Errorf("%s and %s overlap on %s; usage rates must not overlap",
							nameOf(hits[0]), nameOf(hits[1]), where)
					}
					for _, list := range []struct {
						entries []entry
						what    string
					}{{feedIn, "feed-in"}, {clUsage, "controlled-load usage"}} {
						hits = hits[:0]
						for _, e := range list.entries {
							if e.w.Contains(at) {
								hits = append(hits, e.c)
							}
						}
						if len(hits) > 1 {
							return fmt.Errorf("%s and %s overlap on %s; %s rates must not overlap",
								nameOf(hits[0]), nameOf(hits[1]), where, list.what)
						}
					}
				}
			}
		}
	}
	return nil
}

// nameOf names a component in coverage errors: its label, or what it
// charges.
func nameOf(c Component) string {
	cat := c.Category().String()
	if ForControlledLoad(c) {
		cat = "controlled-load " + cat
	}
	if l := c.ComponentBase().Label; l != "" {
		return fmt.Sprintf("%s rate %q", cat, l)
	}
	return fmt.Sprintf("%s rate (%s)", cat, c.Describe())
}

// nextMonthDay is the month-day after md in a leap year, wrapping 12-31 to
// 01-01.
func nextMonthDay(md int16) int16 {
	m, d := time.Month(md/100), int(md%100)
	t := time.Date(2000, m, d+1, 0, 0, 0, 0, time.UTC)
	return int16(int(t.Month())*100 + t.Day())
}

func sortedKeys[K int16 | int32](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
