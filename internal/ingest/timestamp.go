package ingest

// parseTimestamp reads the timestamps interval CSVs use:
//
//	2011-07-01 00:30:00        2011-07-01T00:30         (ISO 8601, naive)
//	2011-07-01T00:30:00+10:00  2011-07-01 00:30:00Z     (with a UTC offset)
//	2011-07-01 00:30:00.000    1/07/2011 0:30           (fractions; day first)
//
// A timestamp without an offset is a wall-clock time; hasOffset is false and
// the caller decides its zone. Day-first dates (d/m/yyyy) are the Australian
// spreadsheet habit; month-first dates are not accepted.
func parseTimestamp(b []byte) (w wallClock, offset int, hasOffset, ok bool) {
	p := scanner{b: b}
	if i := indexByte(b, '/'); i > 0 && i <= 2 {
		w.d, ok = p.digits(1, 2)
		ok = ok && p.lit('/')
		if ok {
			w.mo, ok = p.digits(1, 2)
		}
		ok = ok && p.lit('/')
		if ok {
			w.y, ok = p.digits(4, 4)
		}
	} else {
		w.y, ok = p.digits(4, 4)
		ok = ok && p.lit('-')
		if ok {
			w.mo, ok = p.digits(2, 2)
		}
		ok = ok && p.lit('-')
		if ok {
			w.d, ok = p.digits(2, 2)
		}
	}
	if !ok || !validDate(ymd{w.y, w.mo, w.d}) {
		return w, 0, false, false
	}
	if p.done() {
		return w, 0, false, true // a date alone is its midnight
	}
	if !p.lit('T') && !p.lit(' ') && !p.lit('t') {
		return w, 0, false, false
	}
	for p.lit(' ') {
	}
	if w.h, ok = p.digits(1, 2); !ok || w.h > 23 || !p.lit(':') {
		return w, 0, false, false
	}
	if w.mi, ok = p.digits(2, 2); !ok || w.mi > 59 {
		return w, 0, false, false
	}
	if p.lit(':') {
		if w.s, ok = p.digits(2, 2); !ok || w.s > 59 {
			return w, 0, false, false
		}
		if p.lit('.') || p.lit(',') {
			start := p.i
			frac, ok := p.digits(1, 9)
			if !ok {
				return w, 0, false, false
			}
			for n := p.i - start; n < 9; n++ {
				frac *= 10
			}
			w.ns = frac
		}
	}
	for p.lit(' ') {
	}
	if p.done() {
		return w, 0, false, true
	}
	if p.lit('Z') || p.lit('z') {
		return w, 0, true, p.done()
	}
	if p.done() || (p.b[p.i] != '+' && p.b[p.i] != '-') {
		return w, 0, false, false
	}
	sign := 1
	if p.b[p.i] == '-' {
		sign = -1
	}
	p.i++
	oh, ok := p.digits(2, 2)
	if !ok || oh > 14 {
		return w, 0, false, false
	}
	om := 0
	if !p.done() {
		p.lit(':')
		if om, ok = p.digits(2, 2); !ok || om > 59 {
			return w, 0, false, false
		}
	}
	return w, sign * (oh*3600 + om*60), true, p.done()
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) done() bool { return s.i == len(s.b) }

func (s *scanner) lit(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// digits reads between min and max decimal digits.
func (s *scanner) digits(min, max int) (int, bool) {
	n, start := 0, s.i
	for s.i < len(s.b) && s.i-start < max && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	return n, s.i-start >= min
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
