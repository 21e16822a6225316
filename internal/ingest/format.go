package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Format is an input file format.
type Format string

// The formats [Open] reads. FormatAuto detects the format from the content.
const (
	FormatAuto    Format = "auto"
	FormatNEM12   Format = "nem12"
	FormatCSV     Format = "csv"
	FormatAusgrid Format = "ausgrid"
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatAuto, FormatNEM12, FormatCSV, FormatAusgrid:
		return f, nil
	case "":
		return FormatAuto, nil
	}
	return "", fmt.Errorf("unknown format %q (want auto, nem12, csv or ausgrid)", s)
}

// Unit is the unit of a file's values: an energy unit (Wh, kWh, MWh), or a
// power unit (W, kW) for files giving the average power over each interval,
// whose energy is the power times the interval length. It is stored as the
// power of ten that turns it into Wh (or W).
type Unit struct {
	name  string
	scale int
	power bool
}

// The units of values. The zero Unit means "not given".
var (
	Wh  = Unit{"Wh", 0, false}
	KWh = Unit{"kWh", 3, false}
	MWh = Unit{"MWh", 6, false}
	W   = Unit{"W", 0, true}
	KW  = Unit{"kW", 3, true}
)

// String returns the unit's usual spelling.
func (u Unit) String() string { return u.name }

// IsZero reports whether no unit was given.
func (u Unit) IsZero() bool { return u.name == "" }

// IsPower reports whether the unit is one of power (W, kW) rather than
// energy.
func (u Unit) IsPower() bool { return u.power }

// ParseUnit reads a unit in any case: Wh, kWh, MWh, or the power units W
// and kW.
func ParseUnit(s string) (Unit, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "wh":
		return Wh, nil
	case "kwh":
		return KWh, nil
	case "mwh":
		return MWh, nil
	case "w":
		return W, nil
	case "kw":
		return KW, nil
	}
	return Unit{}, fmt.Errorf("unknown unit %q (want Wh, kWh or MWh, or W or kW for average power)", s)
}

// Config tells the parsers what the file itself does not say.
type Config struct {
	// Location reads timestamps that carry no UTC offset (CSV and Ausgrid
	// files). Default: Australia/Sydney. NEM12 files ignore it: NEM time is
	// UTC+10 all year.
	Location *time.Location
	// Unit of CSV values. Default: kWh, the unit of retailer and inverter
	// exports and of the original Ausgrid data. A unit in a column name
	// ("generation_wh", "import (kWh)", "GG [kW]") overrides it for that
	// column. With a power unit (W, kW) each value is the average power over
	// its interval.
	Unit Unit
}

// DefaultTimeZone is the zone of new sites, and of naive timestamps when
// neither --tz nor a site says otherwise: the Ausgrid data set and most NEM
// customers live in it.
const DefaultTimeZone = "Australia/Sydney"

func (c Config) location() (*time.Location, error) {
	if c.Location != nil {
		return c.Location, nil
	}
	return time.LoadLocation(DefaultTimeZone)
}

// Open returns a Source reading r in the given format, detecting the format
// from the first lines when it is FormatAuto. name is the file name used in
// error messages.
func Open(r io.Reader, name string, format Format, cfg Config) (Source, error) {
	br := bufio.NewReaderSize(newEOLReader(r, name), 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	if format == FormatAuto || format == "" {
		var err error
		if format, err = Detect(br, name); err != nil {
			return nil, err
		}
	}
	switch format {
	case FormatNEM12:
		return NewNEM12(br, name), nil
	case FormatCSV:
		return NewCSV(br, name, cfg)
	case FormatAusgrid:
		return NewAusgrid(br, name, cfg)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// Detect guesses a file's format from its first lines without consuming
// them: NEM12 when the first record starts with a NEM12 record indicator
// (100, 200, 300 …, so that a NEM12 file missing its header still gets NEM12
// errors), Ausgrid when a line among the first three is the Ausgrid
// header, CSV otherwise.
func Detect(br *bufio.Reader, name string) (Format, error) {
	head, err := br.Peek(16 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		if pe := (*ParseError)(nil); errors.As(err, &pe) {
			return "", pe
		}
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	// Any line ending: Detect also reads files the eolReader has not seen.
	lines := bytes.FieldsFunc(head, func(r rune) bool { return r == '\n' || r == '\r' })
	if len(head) == 16<<10 && len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last one may be cut short
	}
	seen := 0
	for _, line := range lines {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		first, _, _ := bytes.Cut(line, []byte(","))
		first = bytes.Trim(bytes.TrimSpace(first), `"`)
		if seen == 0 {
			switch string(first) {
			case "100", "200", "250", "300", "400", "500", "550", "900":
				return FormatNEM12, nil
			}
		}
		if isAusgridHeader(line) {
			return FormatAusgrid, nil
		}
		if seen++; seen == 3 {
			break
		}
	}
	if seen == 0 {
		return "", &ParseError{File: name, Line: 1, Msg: "the file is empty"}
	}
	return FormatCSV, nil
}

func isAusgridHeader(line []byte) bool {
	l := bytes.ToLower(line)
	return bytes.HasPrefix(l, []byte("customer,generator capacity,postcode,consumption category"))
}
