package ingest

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"testing/iotest"

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
	// The shapes real files take: CR or mixed line endings, trailing commas
	// and spreadsheet padding, quoted fields, a quoted comma in a 400 record.
	plain := strings.Join(nem12Tolerance, "\n") + "\n"
	f.Add([]byte(strings.ReplaceAll(plain, "\n", "\r")))
	f.Add([]byte(strings.ReplaceAll(plain, "\n", ",,,,\r\n")))
	f.Add([]byte(strings.Replace(strings.ReplaceAll(plain, "\n", ",\n"), "\n900,\n", "\r900,\r", 1)))
	f.Add([]byte(`"` + strings.ReplaceAll(strings.ReplaceAll(plain, ",", `","`), "\n", "\"\n\"") + `"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, data, FormatNEM12)
	})
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "ausgrid", "*.csv")
	f.Add([]byte("timestamp,import,export,generation,import_register,export_register\n2024-01-01T00:00:00+10:00,1,0,0,5,6\n2024-01-01T00:05:00+10:00,0.5,0.25,2,7,8\n"))
	f.Add([]byte("time;GC;GG;CL\n2011-10-02 01:30;1;0;\n2011-10-02 02:00;0;0;0\n2011-10-02 03:00;1;2;3\n"))
	f.Add([]byte("timestamp,import,export,,\r2024-01-01 00:00,1.5,0,,\r\n\"2024-01-01 00:30\",\"2\",0.25\n,,,,\r2024-01-01 01:30,0,3,,\r"))
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
	f.Add([]byte(strings.ReplaceAll(strings.ReplaceAll(b.String(), "\n", ",,\r"), "0.25", `"0.25"`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, data, FormatAusgrid)
	})
}

// FuzzEOLReader checks the line-ending normalisation against a plain
// rewrite of the whole input, read in chunks of every size so that CR LF
// pairs fall across reads.
func FuzzEOLReader(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\nd"), uint8(1))
	f.Add([]byte("\r\r\n\n\r"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		want := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		want = bytes.ReplaceAll(want, []byte("\r"), []byte("\n"))
		r := newEOLReader(iotest.HalfReader(&chunked{data, int(chunk) + 1}), "f")
		got, err := io.ReadAll(r)
		longest := 0
		for _, l := range bytes.Split(want, []byte("\n")) {
			longest = max(longest, len(l))
		}
		if longest > MaxLineLength {
			if err == nil {
				t.Fatalf("a line of %d bytes passed", longest)
			}
			return
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q, %v; want %q", data, got, err, want)
		}
	})
}

// chunked reads its data at most n bytes at a time.
type chunked struct {
	data []byte
	n    int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[n:]
	return n, nil
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
			if limit := maxIntervalEnergy(r.Duration); r.Duration > 0 && r.Energy > limit || r.Energy > maxRegisterEnergy {
				t.Fatalf("row %+v: energy beyond the bounds", r)
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
