package ingest

import (
	"fmt"
	"time"
)

// Kind says which table a [Row] belongs in.
type Kind uint8

// The kinds of row a parser produces.
const (
	// KindInterval is metered energy over one interval of one channel
	// (table meter_intervals).
	KindInterval Kind = iota + 1
	// KindGeneration is PV energy generated over one interval (table
	// generation).
	KindGeneration
	// KindImportRegister is a reading of the cumulative import register
	// (table import_cumulative).
	KindImportRegister
	// KindExportRegister is a reading of the cumulative export register
	// (table export_cumulative).
	KindExportRegister
)

// String names the kind after its table.
func (k Kind) String() string {
	switch k {
	case KindInterval:
		return "meter_intervals"
	case KindGeneration:
		return "generation"
	case KindImportRegister:
		return "import_cumulative"
	case KindExportRegister:
		return "export_cumulative"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Directions of metered energy, as stored in meter_intervals.direction.
const (
	DirectionImport = "import"
	DirectionExport = "export"
)

// Quality flags, as NEM12 defines them and meter_intervals stores them.
const (
	QualityActual         byte = 'A'
	QualitySubstituted    byte = 'S'
	QualityFinal          byte = 'F'
	QualityEstimated      byte = 'E'
	QualityNull           byte = 'N'
	QualityVariable       byte = 'V'
	qualityFlagCharacters      = "ASFENV"
)

// Row is one value read from a file. Parsers reuse the Row they return, so
// a caller that keeps it must copy it.
type Row struct {
	// Site indexes the parser's Sites().
	Site int
	Kind Kind
	// Channel names the meter channel of a KindInterval row: the NEM12 NMI
	// suffix (E1, B1, …), or "import", "export" or "CL" for CSV and Ausgrid
	// data. Empty for other kinds.
	Channel string
	// Direction is DirectionImport or DirectionExport for KindInterval rows.
	Direction string
	// Start is the start of the interval, or the instant of a register
	// reading.
	Start time.Time
	// Duration is the interval length; zero for register readings.
	Duration time.Duration
	// Energy is in watt-hours: interval energy, or the register's value.
	Energy float64
	// Quality is one of the Quality flags; QualityActual unless the file
	// says otherwise.
	Quality byte
	// UpdatedAt is when the meter data provider last updated the value
	// (NEM12 300 records' UpdateDateTime); zero when the file does not say.
	// Of two readings of one interval, the one updated later wins.
	UpdatedAt time.Time
	// Line is the file line the value came from.
	Line int
}

// SiteKey identifies a site a file holds data for. Exactly one of the
// fields is set by NEM12 (NMI) and Ausgrid (Customer) parsers; CSV files
// carry no site identity and yield a single zero SiteKey, to be named by
// the caller.
type SiteKey struct {
	NMI      string
	Customer string
}

// String describes the key for messages.
func (k SiteKey) String() string {
	switch {
	case k.NMI != "":
		return "NMI " + k.NMI
	case k.Customer != "":
		return "Ausgrid customer " + k.Customer
	}
	return "the site"
}

// Source is a parsed file: a stream of rows plus what the parser learnt on
// the way. Next advances to the next row and returns false at the end of the
// file or on the first error, which Err then reports.
type Source interface {
	Next() bool
	Row() *Row
	Err() error
	// Sites lists the sites seen so far; Row.Site indexes it.
	Sites() []SiteKey
	// Notes lists things a person should know about the file once it has
	// been read to the end (ignored channels or columns, skipped rows).
	Notes() []string
	// Format names the file format.
	Format() Format
}

// ParseError is a problem in an input file, located by line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}
