package ingest

import (
	"bufio"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// nem12Expectation is what a NEM12 file holds per NMI and E/B channel,
// worked out with exact decimal arithmetic and none of the parser's code.
type nem12Expectation struct {
	sum       map[string]*big.Rat // "NMI/channel" → Wh
	intervals map[string]int
	minutes   map[string]int
	dates     map[string]bool // "NMI/channel/YYYYMMDD"
}

func expectNEM12(t *testing.T, path string) nem12Expectation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e := nem12Expectation{map[string]*big.Rat{}, map[string]int{}, map[string]int{}, map[string]bool{}}
	var key string
	var factor *big.Rat
	var minutes int
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Split(strings.TrimRight(sc.Text(), "\r"), ",")
		switch fields[0] {
		case "200":
			key, factor = "", nil
			if c := strings.ToUpper(fields[4]); c[0] == 'E' || c[0] == 'B' {
				key = fields[1] + "/" + c
				factor = map[string]*big.Rat{"WH": big.NewRat(1, 1), "KWH": big.NewRat(1000, 1), "MWH": big.NewRat(1000000, 1)}[strings.ToUpper(fields[7])]
				if factor == nil {
					t.Fatalf("%s: unit %q", path, fields[7])
				}
			}
			minutes, _ = strconv.Atoi(fields[8])
		case "300":
			if key == "" {
				continue
			}
			n := 1440 / minutes
			if e.sum[key] == nil {
				e.sum[key] = new(big.Rat)
			}
			for _, v := range fields[2 : 2+n] {
				r, ok := new(big.Rat).SetString(v)
				if !ok {
					t.Fatalf("%s: value %q", path, v)
				}
				e.sum[key].Add(e.sum[key], r.Mul(r, factor))
			}
			e.intervals[key] += n
			e.minutes[key] = minutes
			e.dates[key+"/"+fields[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return e
}

func openNEM12(t *testing.T, path string) Source {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	src, err := Open(f, filepath.Base(path), FormatAuto, Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if src.Format() != FormatNEM12 {
		t.Fatalf("detected %s, want nem12", src.Format())
	}
	return src
}

// TestNEM12RealFiles parses every real NEM12 test file (package testfiles) and checks,
// per NMI and channel, the energy, interval count and NEM-time timestamps
// against an independent reading of the file.
func TestNEM12RealFiles(t *testing.T) {
	t.Parallel()
	for _, path := range sharedGlob(t, "nem12", "*.csv") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			want := expectNEM12(t, path)
			src := openNEM12(t, path)
			rows, err := readAll(t, src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			sum := map[string]float64{}
			count := map[string]int{}
			for _, r := range rows {
				key := src.Sites()[r.Site].NMI + "/" + r.Channel
				sum[key] += r.Energy
				count[key]++
				nem := r.Start.In(nemTime)
				min := want.minutes[key]
				if r.Duration != time.Duration(min)*time.Minute {
					t.Fatalf("%s at %v: duration %v, want %d minutes", key, r.Start, r.Duration, min)
				}
				if m := nem.Hour()*60 + nem.Minute(); m%min != 0 || nem.Second() != 0 {
					t.Fatalf("%s: interval start %v is not on a %d-minute boundary of NEM time", key, nem, min)
				}
				if !want.dates[key+"/"+nem.Format("20060102")] {
					t.Fatalf("%s: interval start %v falls on a day the file has no 300 record for", key, nem)
				}
				wantDir := DirectionImport
				if r.Channel[0] == 'B' {
					wantDir = DirectionExport
				}
				if r.Kind != KindInterval || r.Direction != wantDir {
					t.Fatalf("%s: kind %v direction %q", key, r.Kind, r.Direction)
				}
			}
			if len(sum) != len(want.sum) {
				t.Errorf("channels %v, want %v", keys(sum), keysRat(want.sum))
			}
			for key, exact := range want.sum {
				wantF, _ := exact.Float64()
				if diff := sum[key] - wantF; diff > 1e-6 || diff < -1e-6 {
					t.Errorf("%s: sum %.6f Wh, file says %s Wh", key, sum[key], exact.FloatString(6))
				}
				if count[key] != want.intervals[key] {
					t.Errorf("%s: %d intervals, file has %d", key, count[key], want.intervals[key])
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func keysRat(m map[string]*big.Rat) []string { return keys(m) }

func TestNEM12TimestampsAreNEMTime(t *testing.T) {
	t.Parallel()
	src := NewNEM12(strings.NewReader(
		"100,NEM12,200505181432,A,B\n"+
			"200,NMI0000001,E1,E1,E1,N1,1,Wh,30,\n"+
			"300,20050315"+strings.Repeat(",1", 48)+",A,,,,\n"+
			"900\n"), "t.csv")
	rows, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 48 {
		t.Fatalf("%d rows", len(rows))
	}
	// Midnight NEM time is 14:00 UTC the day before, whatever the season.
	if got, want := rows[0].Start.UTC(), time.Date(2005, 3, 14, 14, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first interval starts %v, want %v", got, want)
	}
	if got, want := rows[47].Start.UTC(), time.Date(2005, 3, 15, 13, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("last interval starts %v, want %v", got, want)
	}
}

func TestNEM12QualityFrom400(t *testing.T) {
	t.Parallel()
	path := filepath.Join(sharedData(t, "nem12"), "NEM12_Scenario06_ETSAMDP_NEMMCO.csv")
	src := openNEM12(t, path)
	rows, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2005, 1, 8, 0, 0, 0, 0, nemTime)
	checked := 0
	for _, r := range rows {
		if !r.Start.After(day.Add(-time.Second)) || !r.Start.Before(day.Add(24*time.Hour)) {
			if r.Quality != QualityActual {
				t.Errorf("%s %v: quality %c, want A", r.Channel, r.Start, r.Quality)
			}
			continue
		}
		// 400,1,24,A and 400,25,48,E52 for both channels on 2005-01-08.
		i := int(r.Start.Sub(day) / (30 * time.Minute))
		want := QualityActual
		if i >= 24 {
			want = QualityEstimated
		}
		if r.Quality != want {
			t.Errorf("%s interval %d: quality %c, want %c", r.Channel, i+1, r.Quality, want)
		}
		checked++
	}
	if checked != 96 {
		t.Errorf("checked %d intervals on 2005-01-08, want 96", checked)
	}
	if notes := src.Notes(); len(notes) != 0 {
		t.Errorf("notes %q", notes)
	}
}

func TestNEM12IgnoredChannelsAreCounted(t *testing.T) {
	t.Parallel()
	path := filepath.Join(sharedData(t, "nem12"), "nem12_SCENARIO02NEM1202023_ELECTDSM_NEMMCO.csv")
	src := openNEM12(t, path)
	if _, err := readAll(t, src); err != nil {
		t.Fatal(err)
	}
	notes := src.Notes()
	if len(notes) != 1 || !strings.Contains(notes[0], "ignored 768 intervals of channel(s) K1, Q1") {
		t.Errorf("notes %q, want the 2 × 4 days × 96 intervals of K1 and Q1", notes)
	}
}

// TestNEM12InvalidFiles checks that every malformed NEM12 test file (package testfiles)
// is refused with file:line: and the reason. Each file has its own case, so a
// new file without one fails the test.
func TestNEM12InvalidFiles(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		line int
		want string
	}{
		"Example_NEM12_15min_200_30min_300.csv":     {3, "300 record has 48 interval values, but the 200 record on line 2 gives 15-minute intervals: a day has 96"},
		"Example_NEM12_15min_200_30min_400.csv":     {3, "the 400 records after this 300 record cover intervals 1–48, but a day of 15-minute intervals has 96"},
		"Example_NEM12_30min_200_15min_300.csv":     {3, "300 record has 96 interval values, but the 200 record on line 2 gives 30-minute intervals: a day has 48"},
		"Example_NEM12_30min_200_15min_400.csv":     {3, "300 record has 96 interval values, but the 200 record on line 2 gives 30-minute intervals: a day has 48"},
		"Example_NEM12_empty.csv":                   {2, "the file holds no interval data (no 300 records)"},
		"Example_NEM12_incomplete_interval.csv":     {3, "300 record has 0 interval values, but the 200 record on line 2 gives 30-minute intervals: a day has 48"},
		"Example_NEM12_missing_header.csv":          {2, "the file must start with a 100 header record, found a 200 record first"},
		"Example_NEM12_powercor.csv":                {2, "the file must start with a 100 header record, found a 200 record first"},
		"Example_NEM12_powercor_missing_fields.csv": {2, "the file must start with a 100 header record, found a 200 record first"},
		"Example_empty_file.csv":                    {1, "the file is empty"},
	}
	for _, path := range sharedGlob(t, "nem12/invalid", "*") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, ok := cases[name]
			if !ok {
				t.Fatalf("no expectation for %s: add one", name)
			}
			err := parseFile(t, path, FormatAuto)
			assertParseError(t, err, name, c.line, c.want)
			// Told the format, the parser must say the same.
			err = parseFile(t, path, FormatNEM12)
			assertParseError(t, err, name, c.line, c.want)
		})
	}
}

// TestNEM12InvalidPastTheHeader gives the header-less invalid files the
// header they lack, so that their other faults are reached.
func TestNEM12InvalidPastTheHeader(t *testing.T) {
	t.Parallel()
	dir := sharedData(t, "nem12/invalid")
	tests := []struct {
		file string
		line int
		want string
	}{
		{"Example_NEM12_powercor_missing_fields.csv", 4, "300 record has 2 fields after its 48 interval values, want 5"},
		{"Example_NEM12_powercor.csv", 9, "data after the 900 end record"},
		{"Example_NEM12_missing_header.csv", 0, ""},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		src := NewNEM12(strings.NewReader("100,NEM12,200405011135,MDA1,Ret1\n"+string(b)), tt.file)
		_, err = readAll(t, src)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s with a header: %v", tt.file, err)
			}
			continue
		}
		assertParseError(t, err, tt.file, tt.line, tt.want)
	}
}

func TestNEM12Errors(t *testing.T) {
	t.Parallel()
	const hdr = "100,NEM12,200505181432,A,B\n"
	const ch = "200,NMI0000001,E1,E1,E1,N1,1,kWh,30,\n"
	day := func(date, q string) string { return "300," + date + strings.Repeat(",1", 48) + "," + q + ",,,,\n" }
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"NEM13", "100,NEM13,200505181432,A,B\n", 1, "NEM13 files"},
		{"no 900", hdr + ch + day("20050101", "A"), 3, "the file ends without a 900 end record"},
		{"two headers", hdr + hdr, 2, "a second 100 header record"},
		{"bad unit", hdr + "200,NMI0000001,E1,E1,E1,N1,1,kVArh,30,\n", 2, `channel E1 is in "kVArh"`},
		{"power unit", hdr + "200,NMI0000001,E1,E1,E1,N1,1,kW,30,\n", 2, `channel E1 is in "kW"`},
		{"bad interval", hdr + "200,NMI0000001,E1,E1,E1,N1,1,kWh,60,\n", 2, "interval length \"60\""},
		{"bad date", hdr + ch + day("20050230", "A") + "900\n", 3, "interval date \"20050230\""},
		{"negative", hdr + ch + "300,20050101,-1" + strings.Repeat(",1", 47) + ",A,,,,\n900\n", 3, "interval 1 value -1 is negative"},
		{"not a number", hdr + ch + "300,20050101,x" + strings.Repeat(",1", 47) + ",A,,,,\n900\n", 3, `interval 1 value "x" is not a number`},
		{"bad quality", hdr + ch + day("20050101", "Q") + "900\n", 3, "quality method \"Q\""},
		{"V without 400", hdr + ch + day("20050101", "V") + "900\n", 3, "quality V (variable) but no 400 records"},
		{"400 gap", hdr + ch + day("20050101", "V") + "400,1,10,A,,\n400,12,48,E52,,\n900\n", 5, "400 record starts at interval 12, want 11"},
		{"400 V", hdr + ch + day("20050101", "V") + "400,1,48,V,,\n900\n", 4, "400 record has quality method \"V\""},
		{"400 past the day", hdr + ch + day("20050101", "V") + "400,1,49,A,,\n900\n", 4, "ends at interval 49"},
		{"400 after 200", hdr + ch + "400,1,48,A,,\n", 3, "400 record must follow a 300 or 400 record"},
		{"300 first", hdr + day("20050101", "A"), 2, "300 record before any 200 record"},
		{"200 without 300", hdr + ch + ch, 3, "has no 300 records"},
		{"unknown record", hdr + ch + day("20050101", "A") + "700,x\n", 4, "unknown record indicator \"700\""},
		{"NEM13 record", hdr + "250,x\n", 2, "NEM13"},
		{"not NEM12", "hello\n", 1, "not a NEM12 file"},
		{"bad NMI", hdr + "200,NMI-01,E1,E1,E1,N1,1,kWh,30,\n", 2, "NMI \"NMI-01\""},
		{"short 200", hdr + "200,NMI0000001\n", 2, "200 record has 2 fields, want 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(t, NewNEM12(strings.NewReader(tt.in), "x.csv"))
			assertParseError(t, err, "x.csv", tt.line, tt.want)
		})
	}
}

func TestNEM12UnitsAndBlankLines(t *testing.T) {
	t.Parallel()
	in := "\r\n100,NEM12,200505181432,A,B\r\n\r\n" +
		"200,NMI0000001,E1B1,E1,E1,N1,1,mwh,30,\r\n" +
		"300,20050101" + strings.Repeat(",0.001", 48) + ",A,,,,\r\n" +
		"200,NMI0000001,E1B1,B1,B1,N1,1,WH,15,\r\n" +
		"300,20050101" + strings.Repeat(",2", 96) + ",S14,,,,\r\n" +
		"500,O,S01009,20050102000000,\r\n" +
		"900\r\n\r\n"
	src := NewNEM12(strings.NewReader(in), "x.csv")
	rows, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var e1, b1 float64
	for _, r := range rows {
		switch r.Channel {
		case "E1":
			e1 += r.Energy
		case "B1":
			b1 += r.Energy
			if r.Quality != QualitySubstituted || r.Duration != 15*time.Minute {
				t.Fatalf("B1 row %+v", r)
			}
		}
	}
	if e1 != 48*1000 || b1 != 96*2 {
		t.Errorf("E1 %v Wh, B1 %v Wh; want 48000 and 192", e1, b1)
	}
	if len(src.Sites()) != 1 || src.Sites()[0].NMI != "NMI0000001" {
		t.Errorf("sites %v", src.Sites())
	}
}

func parseFile(t *testing.T, path string, format Format) error {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := Open(f, filepath.Base(path), format, Config{})
	if err != nil {
		return err
	}
	_, err = readAll(t, src)
	return err
}

func assertParseError(t *testing.T, err error, file string, line int, want string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a ParseError containing %q", err, want)
	}
	if pe.File != file || pe.Line != line || !strings.Contains(pe.Msg, want) {
		t.Errorf("error %q, want %s:%d: …%s…", err, file, line, want)
	}
}

// nem12Tolerance is a valid file with two channels of two lengths, a V day
// with 400 records and a 500 record, written line by line so that tests can
// reshape it the way meter data providers and spreadsheets do.
var nem12Tolerance = []string{
	"100,NEM12,200505181432,A,B",
	"200,NMI0000001,E1B1,E1,E1,N1,1,kWh,30,",
	"300,20050101" + strings.Repeat(",1.5", 48) + ",A,,,20050102030405,",
	"300,20050102" + strings.Repeat(",2", 48) + ",V,,,20050103000000,20050103010000",
	"400,1,24,A,,",
	`400,25,48,E52,79,"Meter, reading estimated"`,
	"500,O,S01009,20050102000000,",
	"200,NMI0000001,E1B1,B1,B1,N1,1,Wh,15,",
	"300,20050101" + strings.Repeat(",7", 96) + ",S14,,,,",
	"900",
}

// TestNEM12Tolerance reads the same data written in the shapes real files
// take — trailing commas, spreadsheet padding, any line endings, quoted
// fields — and wants exactly the rows of the plain file.
func TestNEM12Tolerance(t *testing.T) {
	t.Parallel()
	plain := strings.Join(nem12Tolerance, "\n") + "\n"
	want, err := readAll(t, NewNEM12(strings.NewReader(plain), "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 48+48+96 {
		t.Fatalf("%d rows", len(want))
	}
	widest := 0
	for _, l := range nem12Tolerance {
		widest = max(widest, strings.Count(l, ",")+1)
	}
	reshape := func(f func(i int, l string) string, eol string) string {
		var b strings.Builder
		for i, l := range nem12Tolerance {
			b.WriteString(f(i, l) + eol)
		}
		return b.String()
	}
	quoteAll := func(_ int, l string) string {
		if strings.Contains(l, `"`) {
			return l
		}
		return `"` + strings.ReplaceAll(l, ",", `","`) + `"`
	}
	variants := map[string]string{
		"CRLF":             reshape(func(_ int, l string) string { return l }, "\r\n"),
		"CR only":          reshape(func(_ int, l string) string { return l }, "\r"),
		"no final EOL":     strings.TrimSuffix(plain, "\n"),
		"trailing comma":   reshape(func(_ int, l string) string { return l + "," }, "\n"),
		"900,":             strings.Replace(plain, "\n900\n", "\n900,\n", 1),
		"padded":           reshape(func(_ int, l string) string { return l + strings.Repeat(",", widest-1-strings.Count(l, ",")) }, "\r\n"),
		"padded rows":      reshape(func(_ int, l string) string { return l + strings.Repeat(",", widest-1-strings.Count(l, ",")) }, "\n") + strings.Repeat(",", widest-1) + "\n",
		"quoted":           reshape(quoteAll, "\n"),
		"spaces":           reshape(func(_ int, l string) string { return strings.ReplaceAll(l, ",", " , ") }, "\n"),
		"blank lines, BOM": "\ufeff\n" + strings.ReplaceAll(plain, "\n", "\n\n"),
	}
	variants["mixed endings"] = reshape(func(i int, l string) string {
		return l + []string{"\r\n", "\r", "\n"}[i%3]
	}, "")
	for name, in := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := Open(strings.NewReader(in), "x.csv", FormatAuto, Config{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d rows, want %d", len(got), len(want))
			}
			for i := range want {
				w, g := want[i], got[i]
				if g.Channel != w.Channel || !g.Start.Equal(w.Start) || g.Energy != w.Energy || g.Quality != w.Quality ||
					!g.UpdatedAt.Equal(w.UpdatedAt) || g.Duration != w.Duration {
					t.Fatalf("row %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestNEM12UpdateTime(t *testing.T) {
	t.Parallel()
	rows, err := readAll(t, NewNEM12(strings.NewReader(strings.Join(nem12Tolerance, "\n")+"\n"), "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		// 03:04:05 NEM time is 17:04:05 UTC the day before.
		"E1 2005-01-01": time.Date(2005, 1, 1, 17, 4, 5, 0, time.UTC),
		"E1 2005-01-02": time.Date(2005, 1, 2, 14, 0, 0, 0, time.UTC),
		"B1 2005-01-01": {},
	}
	seen := map[string]int{}
	for _, r := range rows {
		k := r.Channel + " " + r.Start.In(nemTime).Format("2006-01-02")
		if !r.UpdatedAt.Equal(want[k]) {
			t.Fatalf("%s: UpdatedAt %v, want %v", k, r.UpdatedAt, want[k])
		}
		seen[k]++
	}
	if len(seen) != len(want) {
		t.Errorf("days %v", seen)
	}
	// DateTime(12) without seconds reads as the minute.
	if got, ok := parseNEMDateTime([]byte("200501020304")); !ok || !got.Equal(time.Date(2005, 1, 2, 3, 4, 0, 0, nemTime)) {
		t.Errorf("200501020304: %v %v", got, ok)
	}
	for _, bad := range []string{"2005010203040", "20050102030460", "20050132000000", "2005010203046x", "20050102240000"} {
		if _, ok := parseNEMDateTime([]byte(bad)); ok {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestNEM12StillRefused checks that tolerance stops where a file is
// genuinely malformed.
func TestNEM12StillRefused(t *testing.T) {
	t.Parallel()
	const hdr = "100,NEM12,200505181432,A,B\n"
	const ch = "200,NMI0000001,E1,E1,E1,N1,1,kWh,30,\n"
	values := strings.Repeat(",1", 48)
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"300 split over lines", hdr + ch + "300,20050101" + strings.Repeat(",1", 20) + "\n" + strings.Repeat(",1", 28)[1:] + ",A,,,,\n900\n", 3, "300 record has 20 interval values"},
		{"300 split by a CR", hdr + ch + "300,20050101" + strings.Repeat(",1", 20) + "\r" + strings.Repeat(",1", 28)[1:] + ",A,,,,\n900\n", 3, "300 record has 20 interval values"},
		{"one value too many, padded", hdr + ch + "300,20050101" + values + ",1,A,,,,,,,\n900\n", 3, "300 record has 49 interval values"},
		{"one value too few, padded", hdr + ch + "300,20050101" + values[2:] + ",A,,,,,,,,,,\n900\n", 3, "300 record has 47 interval values"},
		{"text in the padding", hdr + ch + "300,20050101" + values + ",A,,,,,,x,\n900\n", 3, "300 record has 7 fields after its 48 interval values"},
		{"missing trailing fields", hdr + ch + "300,20050101" + values + ",A,\n900\n", 3, "300 record has 2 fields after its 48 interval values"},
		{"quote across lines", hdr + ch + "300,20050101" + values + ",V,,,,\n400,1,48,E52,79,\"split\nhere\"\n900\n", 4, "quoted field is not closed"},
		{"900 with data", hdr + ch + "300,20050101" + values + ",A,,,,\n900,x\n", 4, "900 end record has 2 fields"},
		{"100 with a sixth value", "100,NEM12,200505181432,A,B,C\n", 1, "100 header record has 6 fields"},
		{"bad update time", hdr + ch + "300,20050101" + values + ",A,,,2005010203,\n900\n", 3, `update time "2005010203"`},
		{"absurd value", hdr + ch + "300,20050101,1e300" + values[2:] + ",A,,,,\n900\n", 3, "interval 1 value 1e300 is more than 50 MWh in 30 minutes (100 MW on average)"},
		{"infinite value", hdr + ch + "300,20050101,1e999" + values[2:] + ",A,,,,\n900\n", 3, "interval 1 value 1e999 is more than"},
		{"NaN", hdr + ch + "300,20050101,NaN" + values[2:] + ",A,,,,\n900\n", 3, `interval 1 value "NaN" is not a number`},
		{"Inf", hdr + ch + "300,20050101,+Inf" + values[2:] + ",A,,,,\n900\n", 3, `interval 1 value "+Inf" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := Open(strings.NewReader(tt.in), "x.csv", FormatAuto, Config{})
			if err == nil {
				_, err = readAll(t, src)
			}
			assertParseError(t, err, "x.csv", tt.line, tt.want)
		})
	}
	// Just under the bound is a reading.
	in := hdr + ch + "300,20050101,50000" + values[2:] + ",A,,,,\n900\n"
	if _, err := readAll(t, NewNEM12(strings.NewReader(in), "x.csv")); err != nil {
		t.Errorf("50,000 kWh in 30 minutes: %v", err)
	}
}

// TestNEM12ProviderVariants covers what real providers' files do that the
// plain form does not: the optional last field of a 200 record
// (NextScheduledReadDate) or of a 300 record (MSATSLoadDateTime) left out
// rather than empty, a 12-digit update time, and a skipped channel (voltage)
// at an interval length energy channels may not use.
func TestNEM12ProviderVariants(t *testing.T) {
	t.Parallel()
	in := "100,NEM12,202311302114,WP,WP,,,,\n" +
		"200,NMI0000001,E1V1,1,E1,,METER,KWH,30\n" +
		"300,20230318" + strings.Repeat(",0.5", 48) + ",A,,,202311302114\n" +
		"200,NMI0000001,E1V1,,V1,,,,10,\n" +
		"300,20230318" + strings.Repeat(",239.5", 144) + ",A,,,,\n" +
		"900\n"
	src := NewNEM12(strings.NewReader(in), "x.csv")
	rows, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 48 || rows[0].Energy != 500 || !rows[0].UpdatedAt.Equal(time.Date(2023, 11, 30, 21, 14, 0, 0, nemTime)) {
		t.Errorf("%d rows, first %+v", len(rows), rows[0])
	}
	if notes := src.Notes(); len(notes) != 1 || !strings.Contains(notes[0], "ignored 144 intervals of channel(s) V1") {
		t.Errorf("notes %q", notes)
	}
	// An energy channel still needs 5, 15 or 30 minutes.
	_, err = readAll(t, NewNEM12(strings.NewReader(strings.Replace(in, ",E1,,METER,KWH,30", ",E1,,METER,KWH,10", 1)), "x.csv"))
	assertParseError(t, err, "x.csv", 2, `interval length "10", want 5, 15 or 30`)
}
