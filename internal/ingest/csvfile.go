package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Column roles of an interval CSV.
const (
	roleTimestamp = iota
	roleGeneration
	roleConsumption
	roleImport
	roleExport
	roleCL
	roleImportRegister
	roleExportRegister
	nRoles
)

var roleNames = [nRoles]string{"timestamp", "generation", "consumption", "import", "export", "CL",
	"import_register", "export_register"}

// columnRoles maps normalised header names to roles. GG and GC are the
// Ausgrid names of gross generation and general consumption, CL its
// controlled load.
var columnRoles = map[string]int{
	"timestamp": roleTimestamp, "time": roleTimestamp, "datetime": roleTimestamp,
	"date_time": roleTimestamp, "interval_start": roleTimestamp,
	"generation": roleGeneration, "gg": roleGeneration, "pv": roleGeneration,
	"consumption": roleConsumption, "gc": roleConsumption,
	"import": roleImport, "grid_import": roleImport,
	"export": roleExport, "grid_export": roleExport,
	"cl": roleCL, "controlled_load": roleCL,
	"import_register": roleImportRegister, "export_register": roleExportRegister,
}

// stepProbe is how many rows are read ahead to find the interval length:
// the smallest gap between consecutive timestamps among them.
const stepProbe = 64

type csvLine struct {
	t    time.Time
	line int
	vals [nRoles]float64
	has  [nRoles]bool
}

// csvSource reads interval CSVs: a header naming a timestamp column and any
// of generation, consumption, import, export, CL, import_register and
// export_register, then one row per interval in time order.
//
// When the file gives consumption and generation but no import or export,
// the grid flows are the net of each interval: import = max(consumption −
// generation, 0) and export = max(generation − consumption, 0), as a net
// meter would have measured. Timestamps label the start of their interval;
// the interval length is the smallest gap between the first rows' timestamps,
// and every later gap must be a whole number of intervals (missing rows are
// fine, rows out of order or repeated are not).
type csvSource struct {
	r     *csv.Reader
	name  string
	loc   *time.Location
	width int
	col   [nRoles]int
	scale [nRoles]int
	power [nRoles]bool // the column is average power over the interval

	explicit, net, consAsImport bool
	needsStep                   bool

	queue []csvLine
	qpos  int
	eof   bool
	step  time.Duration
	prev  time.Time // timestamp of the last row turned into rows
	last  time.Time // instant of the last row read (resolves repeated local hours)

	rows  [8]Row
	nrows int
	rpos  int
	row   Row
	err   error

	ignoredCols  []string
	skippedGap   int
	incomplete   int
	consIgnored  bool
	firstMissing int
}

// NewCSV returns a Source reading an interval CSV. It reads the header at
// once and reports problems with it as errors.
func NewCSV(r io.Reader, name string, cfg Config) (Source, error) {
	loc, err := cfg.location()
	if err != nil {
		return nil, err
	}
	unit := cfg.Unit
	if unit.IsZero() {
		unit = KWh
	}
	br := bufferLines(r, name)
	comma := sniffComma(br)
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	s := &csvSource{r: cr, name: name, loc: loc}
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, &ParseError{File: name, Line: 1, Msg: "the file is empty"}
		}
		return nil, s.csvError(err)
	}
	line, _ := cr.FieldPos(0)
	if err := s.header(header, unit); err != nil {
		return nil, &ParseError{File: name, Line: line, Msg: err.Error()}
	}
	return s, nil
}

// sniffComma picks the separator of the header line: comma unless the line
// has more semicolons or tabs than commas (European spreadsheet exports).
func sniffComma(br *bufio.Reader) rune {
	head, _ := br.Peek(4096)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	c, sc, tab := bytes.Count(head, []byte(",")), bytes.Count(head, []byte(";")), bytes.Count(head, []byte("\t"))
	switch {
	case sc > c && sc >= tab:
		return ';'
	case tab > c:
		return '\t'
	}
	return ','
}

func (s *csvSource) header(h []string, def Unit) error {
	for i := range s.col {
		s.col[i] = -1
	}
	s.width = len(h)
	for i, raw := range h {
		name, unit := splitUnit(raw)
		role, known := columnRoles[name]
		if name == "" && i == 0 {
			role, known = roleTimestamp, true // an unnamed index column, as pandas writes
		} else if name == "" {
			continue // spreadsheet padding
		}
		if !known {
			s.ignoredCols = append(s.ignoredCols, strings.TrimSpace(raw))
			continue
		}
		if j := s.col[role]; j >= 0 {
			return fmt.Errorf("columns %d and %d are both %s", j+1, i+1, roleNames[role])
		}
		s.col[role] = i
		if unit.IsZero() {
			unit = def
		}
		s.scale[role] = unit.scale
		s.power[role] = unit.power
		if unit.power && (role == roleImportRegister || role == roleExportRegister) {
			return fmt.Errorf("%s is a register of energy; its unit cannot be %s (a power)", roleNames[role], unit)
		}
	}
	if s.col[roleTimestamp] < 0 {
		return errors.New("the header has no timestamp column (name one column timestamp)")
	}
	energy := false
	for r := roleGeneration; r < nRoles; r++ {
		energy = energy || s.col[r] >= 0
	}
	if !energy {
		return errors.New("the header has no energy column: want any of generation (GG), consumption (GC), import, export, CL, import_register, export_register")
	}
	has := func(r int) bool { return s.col[r] >= 0 }
	s.explicit = has(roleImport) || has(roleExport)
	s.net = !s.explicit && has(roleConsumption) && has(roleGeneration)
	s.consAsImport = !s.explicit && has(roleConsumption) && !has(roleGeneration)
	s.consIgnored = s.explicit && has(roleConsumption)
	s.needsStep = has(roleGeneration) || has(roleConsumption) || has(roleImport) || has(roleExport) || has(roleCL)
	return nil
}

// splitUnit normalises a header name and splits off a unit written after
// it: "Generation (kWh)", "import_wh", "GG [kWh]".
func splitUnit(raw string) (string, Unit) {
	s := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff")))
	var unit Unit
	for _, u := range []Unit{KWh, MWh, Wh, KW, W} {
		l := strings.ToLower(u.name)
		for _, pat := range []string{"(" + l + ")", "[" + l + "]", "_" + l, " " + l, "-" + l} {
			if strings.HasSuffix(s, pat) && len(s) > len(pat) {
				s, unit = strings.TrimSpace(s[:len(s)-len(pat)]), u
				goto done
			}
		}
	}
done:
	s = strings.NewReplacer(" ", "_", "-", "_").Replace(s)
	return s, unit
}

func (s *csvSource) Format() Format   { return FormatCSV }
func (s *csvSource) Row() *Row        { return &s.row }
func (s *csvSource) Err() error       { return s.err }
func (s *csvSource) Sites() []SiteKey { return []SiteKey{{}} }

func (s *csvSource) Notes() []string {
	var notes []string
	if len(s.ignoredCols) > 0 {
		notes = append(notes, fmt.Sprintf("ignored column(s) %s", strings.Join(quoteAll(s.ignoredCols), ", ")))
	}
	if s.consIgnored {
		notes = append(notes, "the consumption column was ignored: the file gives import and export")
	}
	if s.consAsImport {
		notes = append(notes, "no generation column: consumption was loaded as grid import")
	}
	if s.skippedGap > 0 {
		notes = append(notes, fmt.Sprintf("skipped %d all-zero row(s) at local times that do not exist in %s (clocks jump forward; first on line %d)",
			s.skippedGap, s.loc, s.firstMissing))
	}
	if s.incomplete > 0 {
		notes = append(notes, fmt.Sprintf("%d row(s) lacked consumption or generation, so no import or export for them", s.incomplete))
	}
	return notes
}

// emptyFields reports whether every field is blank: the padding spreadsheets
// add to rows, or a row of nothing.
func emptyFields(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func (s *csvSource) fail(line int, format string, args ...any) bool {
	s.err = &ParseError{File: s.name, Line: line, Msg: fmt.Sprintf(format, args...)}
	return false
}

func (s *csvSource) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: s.name, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return readError(s.name, err)
}

// Next advances to the next value.
func (s *csvSource) Next() bool {
	if s.queue == nil && s.err == nil {
		s.fill()
	}
	for s.err == nil {
		if s.rpos < s.nrows {
			s.row = s.rows[s.rpos]
			s.rpos++
			return true
		}
		var l csvLine
		if s.qpos < len(s.queue) {
			l = s.queue[s.qpos]
			s.qpos++
		} else {
			var ok bool
			if l, ok = s.read(); !ok {
				return false
			}
		}
		s.expand(&l)
	}
	return false
}

// fill reads the first rows ahead to learn the interval length.
func (s *csvSource) fill() {
	s.queue = make([]csvLine, 0, stepProbe)
	for len(s.queue) < stepProbe {
		l, ok := s.read()
		if !ok {
			break
		}
		s.queue = append(s.queue, l)
	}
	if s.err != nil {
		return
	}
	for i := 1; i < len(s.queue); i++ {
		gap := s.queue[i].t.Sub(s.queue[i-1].t)
		if gap <= 0 {
			s.notAfter(&s.queue[i], s.queue[i-1].t)
			return
		}
		if s.step == 0 || gap < s.step {
			s.step = gap
		}
	}
	switch {
	case len(s.queue) == 0:
		line, _ := s.r.FieldPos(0)
		s.fail(line, "the file has a header but no rows")
	case s.needsStep && s.step == 0 && len(s.queue) == 1:
		s.fail(s.queue[0].line, "a single row: the interval length cannot be worked out from one timestamp")
	}
}

// read parses the next record; false at the end or on an error.
func (s *csvSource) read() (csvLine, bool) {
	var l csvLine
	for !s.eof && s.err == nil {
		rec, err := s.r.Read()
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			s.err = s.csvError(err)
			break
		}
		line, _ := s.r.FieldPos(0)
		if emptyFields(rec) {
			continue // a line of spaces, or an empty spreadsheet row
		}
		if len(rec) != s.width && !(len(rec) > s.width && emptyFields(rec[s.width:])) {
			s.fail(line, "the row has %d fields, the header has %d", len(rec), s.width)
			break
		}
		l = csvLine{line: line}
		ts := strings.TrimSpace(rec[s.col[roleTimestamp]])
		w, off, hasOff, ok := parseTimestamp([]byte(ts))
		if !ok {
			s.fail(line, "timestamp %q not understood (want e.g. 2011-07-01 00:30:00 or 2011-07-01T00:30:00+10:00)", clip([]byte(ts)))
			break
		}
		nonzero := false
		bad := false
		for r := roleGeneration; r < nRoles; r++ {
			c := s.col[r]
			if c < 0 {
				continue
			}
			f := strings.TrimSpace(rec[c])
			if f == "" {
				continue
			}
			v, err := parseScaled([]byte(f), s.scale[r])
			register := r == roleImportRegister || r == roleExportRegister
			switch {
			case errors.Is(err, errRange) || register && v > maxRegisterEnergy:
				bad = !s.fail(line, "%s value %s is out of range: not a plausible reading of one meter", roleNames[r], clip([]byte(f)))
			case err != nil:
				bad = !s.fail(line, "%s value %q is not a number", roleNames[r], clip([]byte(f)))
			case v < 0:
				bad = !s.fail(line, "%s value %s is negative", roleNames[r], clip([]byte(f)))
			}
			if bad {
				break
			}
			l.vals[r], l.has[r] = v, true
			nonzero = nonzero || v != 0
		}
		if bad {
			break
		}
		if hasOff {
			l.t = time.Date(w.y, time.Month(w.mo), w.d, w.h, w.mi, w.s, w.ns, time.UTC).Add(-time.Duration(off) * time.Second)
		} else {
			t, res := resolveLocal(w, s.loc, s.last)
			if res == localMissing {
				if nonzero {
					s.fail(line, "%s does not exist in %s (the clocks jump forward over it); give timestamps with a UTC offset, or --tz a zone without daylight saving", ts, s.loc)
					break
				}
				if s.skippedGap == 0 {
					s.firstMissing = line
				}
				s.skippedGap++
				continue
			}
			l.t = t
		}
		s.last = l.t
		return l, true
	}
	return l, false
}

func (s *csvSource) notAfter(l *csvLine, prev time.Time) {
	s.fail(l.line, "timestamp %s is not after the previous row's %s: rows must be in time order, each timestamp once",
		l.t.In(s.loc).Format(time.RFC3339), prev.In(s.loc).Format(time.RFC3339))
}

// expand turns one CSV row into table rows.
func (s *csvSource) expand(l *csvLine) {
	if !s.prev.IsZero() {
		gap := l.t.Sub(s.prev)
		if gap <= 0 {
			s.notAfter(l, s.prev)
			return
		}
		if s.needsStep && gap%s.step != 0 {
			s.fail(l.line, "this row is %v after the previous one, not a whole number of %v intervals", gap, s.step)
			return
		}
	}
	s.prev = l.t
	s.nrows, s.rpos = 0, 0
	limit := maxIntervalEnergy(s.step)
	for r := range l.vals {
		if s.power[r] {
			// Average power (W) over the interval: energy in Wh.
			l.vals[r] *= float64(s.step) / float64(time.Hour)
		}
		if r != roleImportRegister && r != roleExportRegister && l.vals[r] > limit {
			s.fail(l.line, "%s value of %s in %v is more than %s on average: not a plausible reading of one meter",
				roleNames[r], whText(l.vals[r]), s.step, maxSitePowerText)
			return
		}
	}
	add := func(kind Kind, channel, dir string, e float64) {
		r := &s.rows[s.nrows]
		*r = Row{Kind: kind, Channel: channel, Direction: dir, Start: l.t, Energy: e, Quality: QualityActual, Line: l.line}
		if kind == KindInterval || kind == KindGeneration {
			r.Duration = s.step
		}
		s.nrows++
	}
	if l.has[roleGeneration] {
		add(KindGeneration, "", "", l.vals[roleGeneration])
	}
	switch {
	case s.explicit:
		if l.has[roleImport] {
			add(KindInterval, ChannelImport, DirectionImport, l.vals[roleImport])
		}
		if l.has[roleExport] {
			add(KindInterval, ChannelExport, DirectionExport, l.vals[roleExport])
		}
	case s.net:
		if l.has[roleConsumption] && l.has[roleGeneration] {
			imp, exp := netFlows(l.vals[roleConsumption], l.vals[roleGeneration])
			add(KindInterval, ChannelImport, DirectionImport, imp)
			add(KindInterval, ChannelExport, DirectionExport, exp)
		} else if l.has[roleConsumption] || l.has[roleGeneration] {
			s.incomplete++
		}
	case s.consAsImport:
		if l.has[roleConsumption] {
			add(KindInterval, ChannelImport, DirectionImport, l.vals[roleConsumption])
		}
	}
	if l.has[roleCL] {
		add(KindInterval, ChannelControlledLoad, DirectionImport, l.vals[roleCL])
	}
	if l.has[roleImportRegister] {
		add(KindImportRegister, "", "", l.vals[roleImportRegister])
	}
	if l.has[roleExportRegister] {
		add(KindExportRegister, "", "", l.vals[roleExportRegister])
	}
}

// Channel names of interval data that does not come from a NEM12 file.
const (
	ChannelImport = "import"
	ChannelExport = "export"
	// ChannelControlledLoad is the Ausgrid "CL" category: a separately
	// metered, network-switched circuit (off-peak hot water). It is always
	// drawn from the grid, so it is an import channel of its own and never
	// netted against generation.
	ChannelControlledLoad = "CL"
)

// netFlows is what a net meter records in an interval with the given gross
// consumption and generation: what the house drew beyond its own PV, and
// what the PV sent out beyond the house's needs.
func netFlows(consumption, generation float64) (imp, exp float64) {
	if d := consumption - generation; d > 0 {
		return d, 0
	} else if d < 0 {
		return 0, -d
	}
	return 0, 0
}
