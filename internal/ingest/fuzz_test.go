package ingest

import (
	"bytes"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/testfiles"
)

// The fuzz targets feed arbitrary bytes to each parser. Whatever the input,
// a parser must not panic, must report problems as file:line errors, and
// every row it does return must be loadable: a known kind, finite
// non-negative energy, a site it has declared and, for metered intervals, a
// channel, a direction and a positive length.
//
// Seeds are the real test files (package testfiles) plus the corpus in
// testdata/fuzz. Run a fuzzer with e.g.
//
//	go test ./internal/ingest -run '^$' -fuzz FuzzNEM12 -fuzztime 60s

func FuzzNEM12(f *testing.F) {
	addSeeds(f, "nem12", "*.csv")
	addSeeds(f, "nem12/invalid", "*")
	f.Add([]byte("100,NEM12,200505181432,A,B\n200,N1,E1,E1,E1,N1,1,kWh,30,\n300,20050101" + strings.Repeat(",1", 48) + ",V,,,,\n400,1,48,A,,\n900\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, data, FormatNEM12)
	})
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "ausgrid", "*.csv")
	f.Add([]byte("timestamp,import,export,generation,import_register,export_register\n2024-01-01T00:00:00+10:00,1,0,0,5,6\n2024-01-01T00:05:00+10:00,0.5,0.25,2,7,8\n"))
	f.Add([]byte("time;GC;GG;CL\n2011-10-02 01:30;1;0;\n2011-10-02 02:00;0;0;0\n2011-10-02 03:00;1;2;3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, data, FormatCSV)
	})
}

func FuzzAusgrid(f *testing.F) {
	var b strings.Builder
	b.WriteString("title\nCustomer,Generator Capacity,Postcode,Consumption Category,date")
	for k := 1; k <= 48; k++ {
		b.WriteString("," + []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23"}[k*30/60%24])
		b.WriteString([]string{":00", ":30"}[k%2])
	}
	b.WriteString(",Row Quality\n")
	for _, cat := range []string{"CL", "GC", "GG"} {
		b.WriteString("1,1.5,2000," + cat + ",2/10/2011" + strings.Repeat(",0.25", 4) + ",0,0" + strings.Repeat(",0.25", 42) + ",\n")
	}
	f.Add([]byte(b.String()))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, data, FormatAusgrid)
	})
}

func addSeeds(f *testing.F, dir, pattern string) {
	for _, file := range testfiles.Glob(f, dir, pattern) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 64<<10 {
			b = b[:64<<10] // the Ausgrid year: its beginning is enough
		}
		f.Add(b)
	}
}

func checkSource(t *testing.T, data []byte, format Format) {
	for _, fm := range []Format{format, FormatAuto} {
		src, err := Open(bytes.NewReader(data), "fuzz.csv", fm, Config{})
		if err != nil {
			checkError(t, err)
			continue
		}
		n := 0
		for src.Next() {
			r := src.Row()
			if r.Site < 0 || r.Site >= len(src.Sites()) {
				t.Fatalf("row %+v: site %d of %d", r, r.Site, len(src.Sites()))
			}
			if math.IsNaN(r.Energy) || math.IsInf(r.Energy, 0) || r.Energy < 0 {
				t.Fatalf("row %+v: energy", r)
			}
			if !strings.ContainsRune("ASFEN", rune(r.Quality)) || r.Quality == 0 {
				t.Fatalf("row %+v: quality %q", r, r.Quality)
			}
			switch r.Kind {
			case KindInterval:
				if r.Channel == "" || (r.Direction != DirectionImport && r.Direction != DirectionExport) || r.Duration <= 0 {
					t.Fatalf("interval row %+v", r)
				}
			case KindGeneration:
				if r.Duration <= 0 {
					t.Fatalf("generation row %+v", r)
				}
			case KindImportRegister, KindExportRegister:
			default:
				t.Fatalf("row %+v: kind", r)
			}
			if r.Line < 1 {
				t.Fatalf("row %+v: line", r)
			}
			n++
		}
		if err := src.Err(); err != nil {
			checkError(t, err)
		}
		_ = src.Notes()
	}
}

func checkError(t *testing.T, err error) {
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a ParseError", err, err)
	}
	if pe.Line < 1 || pe.File != "fuzz.csv" {
		t.Fatalf("error %q: bad location", err)
	}
	if len(pe.Msg) > 1000 {
		t.Fatalf("error message of %d bytes", len(pe.Msg))
	}
}
