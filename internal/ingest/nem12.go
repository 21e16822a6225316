package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// nemTime is the clock of NEM12 interval data: Australian Eastern Standard
// Time, UTC+10 all year, whatever the local daylight saving.
var nemTime = time.FixedZone("NEM", 10*60*60)

// maxIntervals is the number of intervals in a day of 5-minute data, the
// finest NEM12 allows.
const maxIntervals = 24 * 60 / 5

// NEM12 record states: what the parser expects next.
const (
	nemStart   = iota // before the 100 header
	nemHeader         // after 100: a 200 or the 900
	nemChannel        // after 200: a 300
	nemDay            // after 300/400/500: 400, 500, 300, 200 or 900
	nemEnd            // after 900: nothing
)

// nem12 reads AEMO Meter Data File Format version 1.0 (NEM12) files: one 100
// header, then per NMI data stream a 200 record followed by 300 records (one
// day of interval values each), optional 400 records (per-interval quality
// for a day flagged V) and 500 records (B2B details, ignored), and a 900
// end record.
type nem12 struct {
	lr   lineReader
	name string

	sites     []SiteKey
	siteIndex map[string]int
	intern    map[string]string // channel names, allocated once
	ignored   map[string]int    // ignored channel → intervals skipped
	ignoredBy []string          // ignored channels in order of appearance

	state   int
	prev    string // record indicator of the previous record
	saw300  bool
	ch      nemChannelInfo
	day     nemDayData
	ready   bool // day complete and being returned row by row
	pos     int
	held    bool // the current line still needs processing after the day drains
	fields  [][]byte
	done    bool
	row     Row
	err     error
	hdrLine int
}

type nemChannelInfo struct {
	site      int
	suffix    string
	direction string
	ignored   bool
	scale     int
	minutes   int
	n         int // intervals per day
	line      int
}

type nemDayData struct {
	open    bool
	ch      nemChannelInfo
	date    time.Time
	line    int
	flag    byte
	updated time.Time // UpdateDateTime; zero when not given
	next400 int       // next interval a 400 record must start at (1-based)
	values  [maxIntervals]float64
	quality [maxIntervals]byte
}

// NewNEM12 returns a Source reading a NEM12 file. name is used in errors.
func NewNEM12(r io.Reader, name string) Source {
	return &nem12{
		lr:        lineReader{br: bufferLines(r, name), name: name},
		name:      name,
		siteIndex: map[string]int{},
		intern:    map[string]string{},
		ignored:   map[string]int{},
	}
}

func (p *nem12) Format() Format   { return FormatNEM12 }
func (p *nem12) Row() *Row        { return &p.row }
func (p *nem12) Err() error       { return p.err }
func (p *nem12) Sites() []SiteKey { return p.sites }

func (p *nem12) Notes() []string {
	if len(p.ignoredBy) == 0 {
		return nil
	}
	total := 0
	chans := append([]string(nil), p.ignoredBy...)
	sort.Strings(chans)
	for _, c := range chans {
		total += p.ignored[c]
	}
	return []string{fmt.Sprintf("ignored %d intervals of channel(s) %s: only E (import) and B (export) channels hold energy",
		total, strings.Join(chans, ", "))}
}

func (p *nem12) fail(line int, format string, args ...any) bool {
	p.err = &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
	return false
}

// Next advances to the next interval value.
func (p *nem12) Next() bool {
	for p.err == nil {
		if p.ready {
			if p.pos < p.day.ch.n {
				p.emit()
				p.pos++
				return true
			}
			p.ready = false
			p.day.open = false
		}
		if p.held {
			p.held = false
			if !p.record(p.fields) {
				return false
			}
			continue
		}
		if p.done {
			return false
		}
		fields, ok := p.lr.next()
		if !ok {
			if p.lr.err != nil {
				p.err = readError(p.name, p.lr.err)
				return false
			}
			p.done = true
			if p.day.open && !p.closeDay() {
				return false
			}
			switch p.state {
			case nemStart:
				return p.fail(max(p.lr.line, 1), "the file is empty: a NEM12 file needs a 100 header, data and a 900 end record")
			case nemEnd:
			default:
				return p.fail(p.lr.line, "the file ends without a 900 end record (truncated?)")
			}
			continue
		}
		if blank(fields) {
			continue
		}
		if p.day.open && string(fields[0]) != "400" {
			if !p.closeDay() {
				return false
			}
			p.fields, p.held = fields, true
			continue
		}
		if !p.record(fields) {
			return false
		}
	}
	return false
}

func (p *nem12) emit() {
	d := &p.day
	step := time.Duration(d.ch.minutes) * time.Minute
	p.row = Row{
		Site:      d.ch.site,
		Kind:      KindInterval,
		Channel:   d.ch.suffix,
		Direction: d.ch.direction,
		Start:     d.date.Add(time.Duration(p.pos) * step),
		Duration:  step,
		Energy:    d.values[p.pos],
		Quality:   d.quality[p.pos],
		UpdatedAt: d.updated,
		Line:      d.line,
	}
}

// closeDay checks the 400 records of the open day and makes its values
// available (or counts them as ignored).
func (p *nem12) closeDay() bool {
	d := &p.day
	switch {
	case d.next400 == 1 && d.flag == QualityVariable:
		return p.fail(d.line, "300 record has quality V (variable) but no 400 records follow to give the quality of each interval")
	case d.next400 != 1 && d.next400 != d.ch.n+1:
		return p.fail(d.line, "the 400 records after this 300 record cover intervals 1–%d, but a day of %d-minute intervals has %d",
			d.next400-1, d.ch.minutes, d.ch.n)
	}
	if d.ch.ignored {
		if p.ignored[d.ch.suffix] == 0 {
			p.ignoredBy = append(p.ignoredBy, d.ch.suffix)
		}
		p.ignored[d.ch.suffix] += d.ch.n
		d.open = false
		return true
	}
	p.ready, p.pos = true, 0
	return true
}

func (p *nem12) record(f [][]byte) bool {
	line := p.lr.line
	ind := string(f[0])
	if p.state == nemEnd {
		return p.fail(line, "data after the 900 end record")
	}
	if p.state == nemStart && ind != "100" {
		if isRecordIndicator(ind) {
			return p.fail(line, "the file must start with a 100 header record, found a %s record first", ind)
		}
		return p.fail(line, "not a NEM12 file: the first record should be a 100 header, found %q", clip(f[0]))
	}
	switch ind {
	case "100":
		f = fit(f, 5)
		if p.state != nemStart {
			return p.fail(line, "a second 100 header record (the first is on line %d)", p.hdrLine)
		}
		if len(f) < 2 {
			return p.fail(line, "100 header record has no version field")
		}
		switch v := strings.ToUpper(string(f[1])); v {
		case "NEM12":
		case "NEM13":
			return p.fail(line, "NEM13 files (accumulation meter readings) are not supported; export NEM12 interval data instead")
		default:
			return p.fail(line, "100 header record names version %q, want NEM12", clip(f[1]))
		}
		if len(f) != 5 {
			return p.fail(line, "100 header record has %d fields, want 5 (100,NEM12,date-time,from,to)", len(f))
		}
		p.state, p.hdrLine = nemHeader, line
	case "200":
		if p.state == nemChannel {
			return p.fail(line, "200 record follows the 200 record on line %d, which has no 300 records", p.ch.line)
		}
		if !p.channel(fit(f, 10), line) {
			return false
		}
		p.state = nemChannel
	case "300":
		if p.state != nemChannel && p.state != nemDay {
			return p.fail(line, "300 record before any 200 record")
		}
		if !p.interval(f, line) {
			return false
		}
		p.state = nemDay
	case "400":
		if p.prev != "300" && p.prev != "400" {
			return p.fail(line, "400 record must follow a 300 or 400 record")
		}
		if !p.qualityRange(fit(f, 6), line) {
			return false
		}
	case "500":
		if p.state != nemDay {
			return p.fail(line, "500 record must follow a 300, 400 or 500 record")
		}
	case "900":
		if p.state == nemChannel {
			return p.fail(line, "the 200 record on line %d has no 300 records", p.ch.line)
		}
		if !p.saw300 {
			return p.fail(line, "the file holds no interval data (no 300 records)")
		}
		if f = fit(f, 1); len(f) != 1 {
			return p.fail(line, "900 end record has %d fields, want 1", len(f))
		}
		p.state = nemEnd
	case "250", "550":
		return p.fail(line, "%s is a NEM13 (accumulation meter) record; only NEM12 interval data is supported", ind)
	default:
		return p.fail(line, "unknown record indicator %q (want 100, 200, 300, 400, 500 or 900)", clip(f[0]))
	}
	p.prev = ind
	return true
}

func (p *nem12) channel(f [][]byte, line int) bool {
	if len(f) == 9 {
		// The last field, NextScheduledReadDate, is optional and some
		// providers leave it out altogether rather than empty.
		f = append(f, nil)
	}
	if len(f) != 10 {
		return p.fail(line, "200 record has %d fields, want 10", len(f))
	}
	nmi := f[1]
	if len(nmi) == 0 || len(nmi) > 10 || !alnum(nmi) {
		return p.fail(line, "200 record has NMI %q, want up to 10 letters and digits", clip(nmi))
	}
	suffix := bytes.ToUpper(f[4])
	if len(suffix) == 0 || len(suffix) > 3 || !alnum(suffix) {
		return p.fail(line, "200 record has NMI suffix (channel) %q, want a letter and a digit such as E1", clip(f[4]))
	}
	c := nemChannelInfo{line: line}
	switch suffix[0] {
	case 'E':
		c.direction = DirectionImport
	case 'B':
		c.direction = DirectionExport
	default:
		c.ignored = true
	}
	minutes, err := strconv.Atoi(string(f[8]))
	switch {
	case err == nil && (minutes == 5 || minutes == 15 || minutes == 30):
	case err == nil && c.ignored && minutes > 0 && 24*60%minutes == 0:
		// A channel solarview skips (voltage every 10 minutes, say) only
		// has to hold whole days of values.
	default:
		return p.fail(line, "200 record has interval length %q, want 5, 15 or 30 (minutes)", clip(f[8]))
	}
	c.minutes, c.n = minutes, 24*60/minutes
	if !c.ignored {
		u, err := ParseUnit(string(f[7]))
		if err != nil || u.power {
			return p.fail(line, "channel %s is in %q; energy channels must be in Wh, kWh or MWh", suffix, clip(f[7]))
		}
		c.scale = u.scale
	}
	c.suffix = p.internString(suffix)
	if i, ok := p.siteIndex[string(nmi)]; ok {
		c.site = i
	} else {
		c.site = len(p.sites)
		s := string(nmi)
		p.siteIndex[s] = c.site
		p.sites = append(p.sites, SiteKey{NMI: s})
	}
	p.ch = c
	return true
}

func (p *nem12) internString(b []byte) string {
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	p.intern[s] = s
	return s
}

func (p *nem12) interval(f [][]byte, line int) bool {
	c := p.ch
	if len(f) < 2 {
		return p.fail(line, "300 record has no interval date")
	}
	date, ok := parseYYYYMMDD(f[1])
	if !ok {
		return p.fail(line, "300 record has interval date %q, want YYYYMMDD", clip(f[1]))
	}
	f = fit(f, c.n+7)
	// The last field, MSATSLoadDateTime, is optional and some providers
	// leave it out altogether rather than empty.
	complete := len(f) == c.n+7 || len(f) == c.n+6
	if !complete || !validQualityMethod(f[2+c.n]) {
		// Say what is wrong: the number of values (counted up to the first
		// field that is not a number, since padding can make the field
		// count look right), or the fields after them.
		values := 0
		for _, v := range f[2:] {
			if _, err := parseScaled(v, 0); err != nil && !errors.Is(err, errRange) {
				break
			}
			values++
		}
		if values != c.n {
			return p.fail(line, "300 record has %d interval values, but the 200 record on line %d gives %d-minute intervals: a day has %d",
				values, c.line, c.minutes, c.n)
		}
		if !complete {
			return p.fail(line, "300 record has %d fields after its %d interval values, want 5 (quality method, reason code, reason description, update time, MSATS load time)",
				len(f)-2-c.n, c.n)
		}
	}
	d := &p.day
	d.ch, d.line, d.next400 = c, line, 1
	d.date = time.Date(date.y, time.Month(date.m), date.d, 0, 0, 0, 0, nemTime)
	limit := maxIntervalEnergy(time.Duration(c.minutes) * time.Minute)
	for i := 0; i < c.n; i++ {
		v, err := parseScaled(f[2+i], c.scale)
		if c.ignored {
			// Skipped channels (reactive energy, voltage …) need numbers
			// only: their units and ranges are not energy's.
			if err != nil && !errors.Is(err, errRange) {
				return p.fail(line, "interval %d value %q is not a number", i+1, clip(f[2+i]))
			}
			continue
		}
		switch {
		case errors.Is(err, errRange) || err == nil && v > limit:
			return p.fail(line, "interval %d value %s is more than %s in %d minutes (%s on average): not a plausible reading of one meter",
				i+1, clip(f[2+i]), whText(limit), c.minutes, maxSitePowerText)
		case err != nil:
			return p.fail(line, "interval %d value %q is not a number", i+1, clip(f[2+i]))
		case v < 0:
			return p.fail(line, "interval %d value %s is negative", i+1, clip(f[2+i]))
		}
		d.values[i] = v
	}
	upd := f[2+c.n+3]
	d.updated = time.Time{}
	if len(upd) > 0 {
		t, ok := parseNEMDateTime(upd)
		if !ok {
			return p.fail(line, "300 record has update time %q, want YYYYMMDDhhmmss", clip(upd))
		}
		d.updated = t
	}
	flag, ok := parseQualityMethod(f[2+c.n])
	if !ok {
		return p.fail(line, "300 record has quality method %q, want A, S, F, E, N or V with an optional method number such as E52", clip(f[2+c.n]))
	}
	d.flag = flag
	for i := 0; i < c.n && !c.ignored; i++ {
		d.quality[i] = flag
	}
	d.open = true
	p.saw300 = true
	return true
}

func (p *nem12) qualityRange(f [][]byte, line int) bool {
	d := &p.day
	if len(f) != 6 {
		return p.fail(line, "400 record has %d fields, want 6 (400,start,end,quality method,reason code,reason description)", len(f))
	}
	start, err1 := strconv.Atoi(string(f[1]))
	end, err2 := strconv.Atoi(string(f[2]))
	if err1 != nil || err2 != nil {
		return p.fail(line, "400 record has interval range %q–%q, want two interval numbers", clip(f[1]), clip(f[2]))
	}
	if start != d.next400 {
		return p.fail(line, "400 record starts at interval %d, want %d: 400 records must cover the day's intervals in order without gaps", start, d.next400)
	}
	if end < start || end > d.ch.n {
		return p.fail(line, "400 record ends at interval %d, but a day of %d-minute intervals has %d", end, d.ch.minutes, d.ch.n)
	}
	flag, ok := parseQualityMethod(f[3])
	if !ok || flag == QualityVariable {
		return p.fail(line, "400 record has quality method %q, want A, S, F, E or N with an optional method number", clip(f[3]))
	}
	for i := start - 1; i < end && !d.ch.ignored; i++ {
		d.quality[i] = flag
	}
	d.next400 = end + 1
	return true
}

func validQualityMethod(b []byte) bool {
	_, ok := parseQualityMethod(b)
	return ok
}

// parseQualityMethod reads a NEM12 quality method ("A", "E52", "S14", "V")
// and returns its quality flag.
func parseQualityMethod(b []byte) (byte, bool) {
	if len(b) == 0 || len(b) > 3 {
		return 0, false
	}
	flag := b[0]
	if flag >= 'a' && flag <= 'z' {
		flag -= 'a' - 'A'
	}
	if strings.IndexByte(qualityFlagCharacters, flag) < 0 {
		return 0, false
	}
	for _, c := range b[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return flag, true
}

// parseNEMDateTime reads a NEM12 DateTime(14), yyyymmddhhmmss in NEM time.
// Some providers leave the seconds out (DateTime(12), as in the 100
// header); that reads as the start of the minute.
func parseNEMDateTime(b []byte) (time.Time, bool) {
	if len(b) != 14 && len(b) != 12 {
		return time.Time{}, false
	}
	d, ok := parseYYYYMMDD(b[:8])
	if !ok {
		return time.Time{}, false
	}
	var hms [3]int
	for i := 0; 8+2*i < len(b); i++ {
		hi, lo := b[8+2*i], b[9+2*i]
		if hi < '0' || hi > '9' || lo < '0' || lo > '9' {
			return time.Time{}, false
		}
		hms[i] = int(hi-'0')*10 + int(lo-'0')
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 59 {
		return time.Time{}, false
	}
	return time.Date(d.y, time.Month(d.m), d.d, hms[0], hms[1], hms[2], 0, nemTime), true
}

type ymd struct{ y, m, d int }

// parseYYYYMMDD reads a calendar date written as eight digits.
func parseYYYYMMDD(b []byte) (ymd, bool) {
	if len(b) != 8 {
		return ymd{}, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return ymd{}, false
		}
		n = n*10 + int(c-'0')
	}
	d := ymd{n / 10000, n / 100 % 100, n % 100}
	return d, validDate(d)
}

func validDate(d ymd) bool {
	if d.y < 1900 || d.y > 2200 || d.m < 1 || d.m > 12 || d.d < 1 {
		return false
	}
	return d.d <= time.Date(d.y, time.Month(d.m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isRecordIndicator(s string) bool {
	switch s {
	case "100", "200", "250", "300", "400", "500", "550", "900":
		return true
	}
	return false
}

func alnum(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// clip shortens a field quoted in an error message, so that a binary file
// does not produce a megabyte of error.
func clip(b []byte) string {
	const max = 40
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
