package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ausgridSlots is the number of half hours in a row of the Ausgrid data.
const ausgridSlots = 48

// Ausgrid consumption categories, in the order their rows are emitted.
const (
	catGC = iota // general consumption
	catGG        // gross generation
	catCL        // controlled load
	nCats
)

var catNames = [nCats]string{"GC", "GG", "CL"}

type ausgridRow struct {
	present bool
	line    int
	quality byte
	values  [ausgridSlots]float64
}

// ausgrid reads the original wide format of Ausgrid's "Solar home
// electricity data": an optional title line, the header
//
//	Customer,Generator Capacity,Postcode,Consumption Category,date,0:30,1:00,…,23:30,0:00[,Row Quality]
//
// and one row per customer, day and category (GC general consumption, GG
// gross PV generation, CL controlled load) holding 48 half-hour energies in
// kWh. Column labels are interval ends, so the first value is the half hour
// starting at midnight. The times are the local wall clock of Sydney: on the
// day daylight saving starts the two non-existent half hours hold zeros, and
// on the day it ends the repeated hour appears once.
//
// Each customer is a site. GG becomes generation, GC and GG together the net
// import and export of each half hour (as in the CSV format), and CL an
// import channel of its own, never netted against generation: it is a
// separately metered circuit the network switches on off-peak. The rows of
// one customer and day must be consecutive, as Ausgrid publishes them.
type ausgrid struct {
	r     *csv.Reader
	name  string
	loc   *time.Location
	width int
	qcol  int // column of Row Quality, or -1

	sites     []SiteKey
	siteIndex map[string]int

	// The group being collected: one customer and day.
	gCustomer string
	gSite     int
	gDate     ymd
	gLine     int
	gCats     [nCats]ausgridRow
	gOpen     bool

	// Emission of a complete group, slot by slot.
	emitting bool
	em       struct {
		site int
		date ymd
		line int
		cats [nCats]ausgridRow
	}
	slot  int
	last  time.Time
	rows  [4]Row
	nrows int
	rpos  int
	row   Row
	eof   bool
	err   error

	incomplete   int
	skippedGap   int
	firstMissing int
}

// NewAusgrid returns a Source reading the Ausgrid wide format. It reads the
// header at once and reports problems with it as errors. cfg.Unit is not
// used: the data set is in kWh.
func NewAusgrid(r io.Reader, name string, cfg Config) (Source, error) {
	loc, err := cfg.location()
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bufferLines(r, name))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	a := &ausgrid{r: cr, name: name, loc: loc, siteIndex: map[string]int{}, qcol: -1}
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, &ParseError{File: name, Line: max(1, i), Msg: "no Ausgrid header (Customer,Generator Capacity,Postcode,Consumption Category,date,0:30,…)"}
		}
		if err != nil {
			return nil, a.csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "customer") {
			if err := a.header(rec); err != nil {
				return nil, &ParseError{File: name, Line: line, Msg: err.Error()}
			}
			return a, nil
		}
		if i == 2 {
			return nil, &ParseError{File: name, Line: line, Msg: "no Ausgrid header in the first lines (Customer,Generator Capacity,Postcode,Consumption Category,date,0:30,…)"}
		}
	}
}

func (a *ausgrid) header(h []string) error {
	want := []string{"customer", "generator capacity", "postcode", "consumption category", "date"}
	if len(h) < len(want)+ausgridSlots {
		return fmt.Errorf("the header has %d columns, want %d: %s, then 48 half hours 0:30 … 0:00", len(h), len(want)+ausgridSlots, strings.Join(want, ", "))
	}
	for i, w := range want {
		if !strings.EqualFold(strings.TrimSpace(h[i]), w) {
			return fmt.Errorf("header column %d is %q, want %q", i+1, clip([]byte(h[i])), w)
		}
	}
	for k := 0; k < ausgridSlots; k++ {
		label := strings.TrimSpace(h[len(want)+k])
		end := (k + 1) * 30 % (24 * 60)
		if m, ok := parseClock(label); !ok || m != end {
			return fmt.Errorf("header column %d is %q, want %d:%02d (the half hour ending then)", len(want)+k+1, clip([]byte(label)), end/60, end%60)
		}
	}
	a.width = len(want) + ausgridSlots
	switch extra := h[a.width:]; {
	case emptyFields(extra):
	case strings.EqualFold(strings.TrimSpace(extra[0]), "row quality") && emptyFields(extra[1:]):
		a.qcol = a.width
		a.width++
	default:
		return fmt.Errorf("unexpected header column %q after the half hours (want Row Quality or nothing)", clip([]byte(extra[0])))
	}
	return nil
}

// parseClock reads "h:mm" as minutes after midnight.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

func (a *ausgrid) Format() Format   { return FormatAusgrid }
func (a *ausgrid) Row() *Row        { return &a.row }
func (a *ausgrid) Err() error       { return a.err }
func (a *ausgrid) Sites() []SiteKey { return a.sites }

func (a *ausgrid) Notes() []string {
	var notes []string
	if a.incomplete > 0 {
		notes = append(notes, fmt.Sprintf("%d customer-day(s) had GC without GG or GG without GC, so no net import or export for them", a.incomplete))
	}
	if a.skippedGap > 0 {
		notes = append(notes, fmt.Sprintf("skipped %d all-zero half hour(s) at local times that do not exist in %s (clocks jump forward; first on line %d)",
			a.skippedGap, a.loc, a.firstMissing))
	}
	return notes
}

func (a *ausgrid) fail(line int, format string, args ...any) bool {
	a.err = &ParseError{File: a.name, Line: line, Msg: fmt.Sprintf(format, args...)}
	return false
}

func (a *ausgrid) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: a.name, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return readError(a.name, err)
}

// Next advances to the next value.
func (a *ausgrid) Next() bool {
	for a.err == nil {
		if a.rpos < a.nrows {
			a.row = a.rows[a.rpos]
			a.rpos++
			return true
		}
		if a.emitting {
			if a.slot < ausgridSlots {
				a.expandSlot()
				a.slot++
				continue
			}
			a.emitting = false
		}
		if a.eof {
			return false
		}
		a.readGroup()
	}
	return false
}

// readGroup reads records until the customer or day changes, then starts
// emitting the complete group.
func (a *ausgrid) readGroup() {
	for a.err == nil {
		rec, err := a.r.Read()
		if err == io.EOF {
			a.eof = true
			if a.gOpen {
				a.startEmit()
			}
			return
		}
		if err != nil {
			a.err = a.csvError(err)
			return
		}
		line, _ := a.r.FieldPos(0)
		if emptyFields(rec) {
			continue // a blank line, or an empty spreadsheet row
		}
		if len(rec) != a.width && !(len(rec) > a.width && emptyFields(rec[a.width:])) {
			a.fail(line, "the row has %d fields, the header has %d", len(rec), a.width)
			return
		}
		customer := strings.TrimSpace(rec[0])
		if customer == "" || !alnum([]byte(customer)) {
			a.fail(line, "customer %q is not a customer number", clip([]byte(customer)))
			return
		}
		date, ok := parseAusgridDate(strings.TrimSpace(rec[4]))
		if !ok {
			a.fail(line, "date %q not understood (want d/mm/yyyy, d-Mon-yy or yyyy-mm-dd)", clip([]byte(rec[4])))
			return
		}
		cat := -1
		for i, n := range catNames {
			if strings.EqualFold(strings.TrimSpace(rec[3]), n) {
				cat = i
			}
		}
		if cat < 0 {
			a.fail(line, "consumption category %q, want GC, GG or CL", clip([]byte(rec[3])))
			return
		}
		flush := a.gOpen && (customer != a.gCustomer || date != a.gDate)
		if flush {
			a.startEmit()
		}
		if !a.gOpen {
			a.gOpen, a.gCustomer, a.gDate, a.gLine = true, customer, date, line
			a.gCats = [nCats]ausgridRow{}
			if i, ok := a.siteIndex[customer]; ok {
				a.gSite = i
			} else {
				a.gSite = len(a.sites)
				a.siteIndex[customer] = a.gSite
				a.sites = append(a.sites, SiteKey{Customer: customer})
			}
		}
		row := &a.gCats[cat]
		if row.present {
			a.fail(line, "a second %s row for customer %s on %04d-%02d-%02d (the first is on line %d)",
				catNames[cat], customer, date.y, date.m, date.d, row.line)
			return
		}
		row.present, row.line, row.quality = true, line, QualityActual
		for k := 0; k < ausgridSlots; k++ {
			f := strings.TrimSpace(rec[5+k])
			v, err := parseScaled([]byte(f), KWh.scale)
			if errors.Is(err, errRange) || err == nil && v > maxIntervalEnergy(30*time.Minute) {
				a.fail(line, "half hour %d value %s kWh is more than %s on average: not a plausible reading of one meter", k+1, clip([]byte(f)), maxSitePowerText)
				return
			}
			if err != nil {
				a.fail(line, "half hour %d value %q is not a number", k+1, clip([]byte(f)))
				return
			}
			if v < 0 {
				a.fail(line, "half hour %d value %s is negative", k+1, clip([]byte(f)))
				return
			}
			row.values[k] = v
		}
		if a.qcol >= 0 {
			row.quality = ausgridQuality(rec[a.qcol])
		}
		if flush {
			return
		}
	}
}

// ausgridQuality maps the Row Quality column to a NEM quality flag. The data
// set does not document its values: an empty cell (the usual case) is an
// actual reading, a NEM flag letter keeps its meaning, and anything else is
// counted as estimated so that it shows in the non-actual share.
func ausgridQuality(s string) byte {
	s = strings.TrimSpace(s)
	if s == "" {
		return QualityActual
	}
	c := s[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	if strings.IndexByte("ASFEN", c) >= 0 && len(s) <= 3 {
		return c
	}
	return QualityEstimated
}

// startEmit hands the collected group to the emitter. The group storage is
// copied so that the next group can be collected while it drains.
func (a *ausgrid) startEmit() {
	a.em.site, a.em.date, a.em.line, a.em.cats = a.gSite, a.gDate, a.gLine, a.gCats
	a.gOpen = false
	a.emitting, a.slot = true, 0
	gc, gg := a.em.cats[catGC].present, a.em.cats[catGG].present
	if gc != gg {
		a.incomplete++
	}
}

func (a *ausgrid) expandSlot() {
	e := &a.em
	k := a.slot
	w := wallClock{y: e.date.y, mo: e.date.m, d: e.date.d, h: k / 2, mi: k % 2 * 30}
	t, res := resolveLocal(w, a.loc, a.last)
	a.nrows, a.rpos = 0, 0
	if res == localMissing {
		for c := range e.cats {
			if e.cats[c].present && e.cats[c].values[k] != 0 {
				a.fail(e.cats[c].line, "half hour %d (%02d:%02d) does not exist in %s (the clocks jump forward over it) but holds %v kWh; use --tz a zone without daylight saving",
					k+1, w.h, w.mi, a.loc, e.cats[c].values[k]/1000)
				return
			}
		}
		if a.skippedGap == 0 {
			a.firstMissing = e.line
		}
		a.skippedGap++
		return
	}
	a.last = t
	add := func(kind Kind, channel, dir string, v float64, q byte, line int) {
		a.rows[a.nrows] = Row{Site: e.site, Kind: kind, Channel: channel, Direction: dir, Start: t,
			Duration: 30 * time.Minute, Energy: v, Quality: q, Line: line}
		a.nrows++
	}
	gc, gg, cl := &e.cats[catGC], &e.cats[catGG], &e.cats[catCL]
	if gg.present {
		add(KindGeneration, "", "", gg.values[k], gg.quality, gg.line)
	}
	if gc.present && gg.present {
		q := gc.quality
		if q == QualityActual {
			q = gg.quality
		}
		imp, exp := netFlows(gc.values[k], gg.values[k])
		add(KindInterval, ChannelImport, DirectionImport, imp, q, gc.line)
		add(KindInterval, ChannelExport, DirectionExport, exp, q, gc.line)
	}
	if cl.present {
		add(KindInterval, ChannelControlledLoad, DirectionImport, cl.values[k], cl.quality, cl.line)
	}
}

var monthAbbr = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// parseAusgridDate reads the date spellings of the Ausgrid releases:
// 1/07/2011, 1-Jul-11, 01-Jul-2011, 1Jul2011 and 2011-07-01.
func parseAusgridDate(s string) (ymd, bool) {
	var d ymd
	var err1, err2, err3 error
	switch {
	case strings.Count(s, "/") == 2:
		p := strings.Split(s, "/")
		d.d, err1 = strconv.Atoi(p[0])
		d.m, err2 = strconv.Atoi(p[1])
		d.y, err3 = strconv.Atoi(p[2])
		if len(p[2]) == 2 {
			d.y += 2000
		} else if len(p[2]) != 4 {
			return d, false
		}
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		d.y, err1 = strconv.Atoi(s[:4])
		d.m, err2 = strconv.Atoi(s[5:7])
		d.d, err3 = strconv.Atoi(s[8:])
	default:
		// d-Mon-yy, d-Mon-yyyy or dMonyyyy.
		t := strings.ReplaceAll(s, "-", "")
		i := 0
		for i < len(t) && i < 2 && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == 0 || len(t) < i+3+2 {
			return d, false
		}
		d.d, err1 = strconv.Atoi(t[:i])
		m, ok := monthAbbr[strings.ToLower(t[i:i+3])]
		if !ok {
			return d, false
		}
		d.m = m
		ys := t[i+3:]
		d.y, err2 = strconv.Atoi(ys)
		switch len(ys) {
		case 2:
			d.y += 2000
		case 4:
		default:
			return d, false
		}
	}
	if err1 != nil || err2 != nil || err3 != nil {
		return d, false
	}
	return d, validDate(d)
}
