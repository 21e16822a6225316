package ingest

import (
	"bufio"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"
)

// ausgridTotals works out the Ausgrid year's totals in Wh with exact decimal
// arithmetic: generation, and the net import and export of each half hour.
func ausgridTotals(t *testing.T, path string) (gen, imp, exp *big.Rat, rows int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gen, imp, exp = new(big.Rat), new(big.Rat), new(big.Rat)
	thousand := big.NewRat(1000, 1)
	sc := bufio.NewScanner(f)
	sc.Scan() // header ",GC,GG"
	for sc.Scan() {
		p := strings.Split(sc.Text(), ",")
		gc, ok1 := new(big.Rat).SetString(p[1])
		gg, ok2 := new(big.Rat).SetString(p[2])
		if !ok1 || !ok2 {
			t.Fatalf("line %q", sc.Text())
		}
		gc.Mul(gc, thousand)
		gg.Mul(gg, thousand)
		gen.Add(gen, gg)
		d := new(big.Rat).Sub(gc, gg)
		if d.Sign() > 0 {
			imp.Add(imp, d)
		} else {
			exp.Sub(exp, d)
		}
		rows++
	}
	return gen, imp, exp, rows
}

func ratFloat(r *big.Rat) float64 { f, _ := r.Float64(); return f }

func TestCSVAusgridYear(t *testing.T) {
	t.Parallel()
	path := sharedData(t, "ausgrid/customer12-2011-2012.csv")
	wantGen, wantImp, wantExp, lines := ausgridTotals(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := Open(f, "customer12.csv", FormatAuto, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Format() != FormatCSV {
		t.Fatalf("detected %s", src.Format())
	}
	rows, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var gen, imp, exp float64
	n := map[string]int{}
	for _, r := range rows {
		if r.Duration != 30*time.Minute {
			t.Fatalf("row %+v: duration", r)
		}
		switch {
		case r.Kind == KindGeneration:
			gen += r.Energy
			n["generation"]++
		case r.Channel == ChannelImport && r.Direction == DirectionImport:
			imp += r.Energy
			n["import"]++
		case r.Channel == ChannelExport && r.Direction == DirectionExport:
			exp += r.Energy
			n["export"]++
		default:
			t.Fatalf("unexpected row %+v", r)
		}
	}
	for name, got := range map[string][2]float64{"generation": {gen, ratFloat(wantGen)}, "import": {imp, ratFloat(wantImp)}, "export": {exp, ratFloat(wantExp)}} {
		if d := got[0] - got[1]; d > 1e-3 || d < -1e-3 {
			t.Errorf("%s total %.4f Wh, file says %.4f Wh", name, got[0], got[1])
		}
	}
	// Two half hours of 2011-10-02 do not exist in Sydney; the file holds
	// zeros there and they are skipped.
	for name, c := range n {
		if c != lines-2 {
			t.Errorf("%d %s rows, want %d", c, name, lines-2)
		}
	}
	if notes := strings.Join(src.Notes(), "\n"); !strings.Contains(notes, "skipped 2 all-zero row(s)") {
		t.Errorf("notes %q", notes)
	}
	if got, want := rows[0].Start, time.Date(2011, 6, 30, 14, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first row at %v, want %v (midnight in Sydney winter)", got.UTC(), want)
	}
	if got, want := rows[len(rows)-1].Start, time.Date(2012, 6, 30, 13, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("last row at %v, want %v", got.UTC(), want)
	}
}

// TestCSVAusgridYearInKW reads the Ausgrid year as average power (kW), which
// is what the shared file holds: it derives from a reshaping that doubled
// each half hour's kWh into kW. Every energy is then exactly half of the
// kWh reading.
func TestCSVAusgridYearInKW(t *testing.T) {
	t.Parallel()
	path := sharedData(t, "ausgrid/customer12-2011-2012.csv")
	read := func(u Unit) []Row {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		src, err := Open(f, "c.csv", FormatCSV, Config{Unit: u})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := readAll(t, src)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	kwh, kw := read(KWh), read(KW)
	if len(kw) != len(kwh) {
		t.Fatalf("%d rows in kW, %d in kWh", len(kw), len(kwh))
	}
	var gen float64
	for i := range kw {
		if kw[i].Energy != kwh[i].Energy/2 || !kw[i].Start.Equal(kwh[i].Start) {
			t.Fatalf("row %d: %v Wh from kW, %v Wh from kWh", i, kw[i].Energy, kwh[i].Energy)
		}
		if kw[i].Kind == KindGeneration {
			gen += kw[i].Energy
		}
	}
	// 1.04 kWp yielding about 1250 kWh per kWp, as the data set's
	// documentation says of customer 12.
	if gen < 1.2e6 || gen > 1.4e6 {
		t.Errorf("generation %.0f Wh in a year from kW", gen)
	}
}

// toAusgridWide rewrites the long customer-12 CSV in the original wide
// Ausgrid layout, one GC and one GG row per day, keeping each value's text.
func toAusgridWide(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	out.WriteString(`"Solar home electricity data from 1 July 2011 to 30 June 2012"` + strings.Repeat(",", 53) + "\n")
	out.WriteString("Customer,Generator Capacity,Postcode,Consumption Category,date")
	for k := 1; k <= 48; k++ {
		fmt.Fprintf(&out, ",%d:%02d", k*30/60%24, k*30%60)
	}
	out.WriteString(",Row Quality\n")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	for i := 0; i < len(lines); i += 48 {
		var gc, gg []string
		day := lines[i][:10]
		for _, l := range lines[i : i+48] {
			p := strings.Split(l, ",")
			if p[0][:10] != day {
				t.Fatalf("line %q is not on %s", l, day)
			}
			gc, gg = append(gc, p[1]), append(gg, p[2])
		}
		d, _ := time.Parse("2006-01-02", day)
		date := d.Format("2/01/2006")
		fmt.Fprintf(&out, "12,1.04,2076,GC,%s,%s,\n", date, strings.Join(gc, ","))
		fmt.Fprintf(&out, "12,1.04,2076,GG,%s,%s,\n", date, strings.Join(gg, ","))
	}
	return out.String()
}

// TestAusgridWideMatchesCSV reads the same year in both layouts: the rows
// must be identical, value for value.
func TestAusgridWideMatchesCSV(t *testing.T) {
	t.Parallel()
	path := sharedData(t, "ausgrid/customer12-2011-2012.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	long, err := Open(f, "long.csv", FormatCSV, Config{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := readAll(t, long)
	if err != nil {
		t.Fatal(err)
	}
	wide, err := Open(strings.NewReader(toAusgridWide(t, path)), "wide.csv", FormatAuto, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if wide.Format() != FormatAusgrid {
		t.Fatalf("detected %s", wide.Format())
	}
	got, err := readAll(t, wide)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows from the wide layout, %d from the long one", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.Channel != w.Channel || !g.Start.Equal(w.Start) || g.Energy != w.Energy || g.Duration != w.Duration {
			t.Fatalf("row %d: wide %+v, long %+v", i, g, w)
		}
	}
	if s := wide.Sites(); len(s) != 1 || s[0].Customer != "12" {
		t.Errorf("sites %v", s)
	}
}

func TestAusgridCategories(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("Customer,Generator Capacity,Postcode,Consumption Category,date")
	for k := 1; k <= 48; k++ {
		fmt.Fprintf(&b, ",%d:%02d", k*30/60%24, k*30%60)
	}
	b.WriteString("\n")
	row := func(cust, cat, date, v string) {
		fmt.Fprintf(&b, "%s,2.2,2000,%s,%s%s\n", cust, cat, date, strings.Repeat(","+v, 48))
	}
	row("1", "CL", "1-Jul-12", "0.5")
	row("1", "GC", "1-Jul-12", "0.25")
	row("1", "GG", "1-Jul-12", "0.125")
	row("2", "GC", "2012-07-01", "1")
	src, err := Open(strings.NewReader(b.String()), "a.csv", FormatAuto, Config{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	sum := map[string]float64{}
	for _, r := range rows {
		sum[fmt.Sprint(src.Sites()[r.Site].Customer, "/", r.Kind, "/", r.Channel)] += r.Energy
	}
	want := map[string]float64{
		"1/generation/":            48 * 125,
		"1/meter_intervals/import": 48 * 125,
		"1/meter_intervals/export": 0,
		"1/meter_intervals/CL":     48 * 500,
	}
	for k, v := range want {
		if sum[k] != v {
			t.Errorf("%s = %v, want %v", k, sum[k], v)
		}
	}
	if len(sum) != len(want) {
		t.Errorf("got %v", sum)
	}
	if notes := strings.Join(src.Notes(), "\n"); !strings.Contains(notes, "1 customer-day(s) had GC without GG") {
		t.Errorf("notes %q", notes)
	}
}

func TestCSVColumnsAndUnits(t *testing.T) {
	t.Parallel()
	syd, _ := time.LoadLocation("Australia/Sydney")
	tests := []struct {
		name string
		in   string
		cfg  Config
		want map[string]float64 // "kind/channel" → Wh
		n    int
	}{
		{"explicit flows with offsets",
			"timestamp,import,export,generation\n2024-01-01T00:00:00+10:00,1,0,0\n2024-01-01T00:05:00+10:00,0.5,0.25,2\n",
			Config{}, map[string]float64{"meter_intervals/import": 1500, "meter_intervals/export": 250, "generation/": 2000}, 6},
		{"unit in the column name overrides --unit",
			"Timestamp,Generation (Wh),Consumption_kWh\n2024-01-01 00:00,500,1\n2024-01-01 00:30,1500,1\n",
			Config{Unit: Wh}, map[string]float64{"generation/": 2000, "meter_intervals/import": 500, "meter_intervals/export": 500}, 6},
		{"Wh unit",
			"timestamp,gg,gc\n2024-01-01 00:00,5,3\n2024-01-01 00:30,1,3\n",
			Config{Unit: Wh}, map[string]float64{"generation/": 6, "meter_intervals/import": 2, "meter_intervals/export": 2}, 6},
		{"consumption alone is import",
			"time;consumption\n2024-01-01 00:00;1,5\n",
			Config{}, nil, -1},
		{"semicolons",
			"time;consumption\n2024-01-01 00:00;1.5\n2024-01-01 00:15;1\n",
			Config{}, map[string]float64{"meter_intervals/import": 2500}, 2},
		{"registers need no interval length",
			"timestamp,import_register,export_register\n2024-01-01 00:00,100.5,7\n",
			Config{}, map[string]float64{"import_cumulative/": 100500, "export_cumulative/": 7000}, 2},
		{"controlled load and ignored columns",
			"timestamp,CL,temperature,GG\n2024-01-01 00:00,1,20,0\n2024-01-01 00:30,,21,1\n",
			Config{}, map[string]float64{"meter_intervals/CL": 1000, "generation/": 1000}, 3},
		{"missing values",
			"timestamp,GC,GG\n2024-01-01 00:00,1,\n2024-01-01 00:30,1,0.5\n2024-01-01 02:00,1,2\n",
			Config{}, map[string]float64{"generation/": 2500, "meter_intervals/import": 500, "meter_intervals/export": 1000}, 6},
		{"average power in kW over 30 minutes",
			"timestamp,GC,GG [W]\n2024-01-01 00:00,1,500\n2024-01-01 00:30,0.25,500\n",
			Config{Unit: KW}, map[string]float64{"generation/": 500, "meter_intervals/import": 250, "meter_intervals/export": 125}, 6},
		{"average power over 5 minutes",
			"timestamp,import_w\n2024-01-01 00:00,1200\n2024-01-01 00:05,600\n",
			Config{}, map[string]float64{"meter_intervals/import": 150}, 2},
		{"day-first dates and a BOM",
			"\ufefftimestamp,import\n1/07/2011 0:30,1\n1/07/2011 1:00,2\n",
			Config{Location: syd}, map[string]float64{"meter_intervals/import": 3000}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := Open(strings.NewReader(tt.in), "x.csv", FormatAuto, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := readAll(t, src)
			if tt.n < 0 {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sum := map[string]float64{}
			for _, r := range rows {
				sum[r.Kind.String()+"/"+r.Channel] += r.Energy
			}
			if len(rows) != tt.n || fmt.Sprint(sum) != fmt.Sprint(tt.want) {
				t.Errorf("%d rows %v, want %d %v", len(rows), sum, tt.n, tt.want)
			}
		})
	}
}

func TestCSVDaylightSaving(t *testing.T) {
	t.Parallel()
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip(err)
	}
	// Wall-clock data across the end of daylight saving: 02:00 and 02:30
	// occur twice, and the file has both.
	in := "timestamp,import\n" +
		"2012-04-01 01:30,1\n2012-04-01 02:00,2\n2012-04-01 02:30,3\n" +
		"2012-04-01 02:00,4\n2012-04-01 02:30,5\n2012-04-01 03:00,6\n"
	rows, err := readAll(t, mustCSV(t, in, Config{Location: syd}))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2012, 3, 31, 14, 30, 0, 0, time.UTC)
	for i, r := range rows {
		if want := start.Add(time.Duration(i) * 30 * time.Minute); !r.Start.Equal(want) {
			t.Errorf("row %d (%v Wh) at %v, want %v", i, r.Energy, r.Start.UTC(), want)
		}
	}
	if len(rows) != 6 {
		t.Errorf("%d rows", len(rows))
	}
}

func mustCSV(t *testing.T, in string, cfg Config) Source {
	t.Helper()
	src, err := NewCSV(strings.NewReader(in), "x.csv", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestCSVErrors(t *testing.T) {
	t.Parallel()
	syd, _ := time.LoadLocation("Australia/Sydney")
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"no timestamp", "when,import\n", 1, "no timestamp column"},
		{"no energy", "timestamp,temperature\n", 1, "no energy column"},
		{"twice", "timestamp,GG,generation\n", 1, "columns 2 and 3 are both generation"},
		{"register in kW", "timestamp,import_register (kW)\n", 1, "import_register is a register of energy; its unit cannot be kW"},
		{"header only", "timestamp,import\n", 1, "the file has a header but no rows"},
		{"single row", "timestamp,import\n2024-01-01 00:00,1\n", 2, "a single row"},
		{"bad timestamp", "timestamp,import\n2024-13-01 00:00,1\n", 2, `timestamp "2024-13-01 00:00" not understood`},
		{"not a number", "timestamp,import\n2024-01-01 00:00,x\n", 2, `import value "x" is not a number`},
		{"negative", "timestamp,generation\n2024-01-01 00:00,-0.1\n", 2, "generation value -0.1 is negative"},
		{"width", "timestamp,import\n2024-01-01 00:00,1,2\n", 2, "the row has 3 fields, the header has 2"},
		{"out of order", "timestamp,import\n2024-01-01 00:30,1\n2024-01-01 01:00,1\n2024-01-01 00:00,1\n", 4, "is not after the previous row's"},
		{"repeated", "timestamp,import\n2024-01-01 00:30,1\n2024-01-01 01:00,1\n2024-01-01 01:00,1\n", 4, "each timestamp once"},
		{"uneven", "timestamp,import\n2024-01-01 00:00,1\n2024-01-01 00:30,1\n2024-01-01 01:15,1\n", 4, "this row is 45m0s after the previous one, not a whole number of 30m0s intervals"},
		{"DST gap with energy", "timestamp,import\n2011-10-02 01:30,1\n2011-10-02 02:00,1\n", 3, "does not exist in Australia/Sydney"},
		{"bad quotes", "timestamp,import\n\"2024-01-01 00:00,1\n", 2, "quote"},
		{"absurd energy", "timestamp,import\n2024-01-01 00:00,1\n2024-01-01 00:30,1e300\n", 3, "import value of 1e+294 GWh in 30m0s is more than 100 MW on average"},
		{"absurd power", "timestamp,generation (kW)\n2024-01-01 00:00,1\n2024-01-01 00:05,100001\n", 3, "generation value of 8.333 MWh in 5m0s is more than 100 MW"},
		{"infinite", "timestamp,import\n2024-01-01 00:00,1e999\n", 2, "import value 1e999 is out of range"},
		{"absurd register", "timestamp,import_register\n2024-01-01 00:00,1e11\n", 2, "import_register value 1e11 is out of range"},
		{"NaN", "timestamp,import\n2024-01-01 00:00,NaN\n", 2, `import value "NaN" is not a number`},
		{"text in the padding", "timestamp,import\n2024-01-01 00:00,1,,x\n", 2, "the row has 4 fields, the header has 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := NewCSV(strings.NewReader(tt.in), "x.csv", Config{Location: syd})
			if err == nil {
				_, err = readAll(t, src)
			}
			assertParseError(t, err, "x.csv", tt.line, tt.want)
		})
	}
}

func TestAusgridErrors(t *testing.T) {
	t.Parallel()
	var h strings.Builder
	h.WriteString("Customer,Generator Capacity,Postcode,Consumption Category,date")
	for k := 1; k <= 48; k++ {
		fmt.Fprintf(&h, ",%d:%02d", k*30/60%24, k*30%60)
	}
	h.WriteString(",Row Quality\n")
	hdr := h.String()
	row := func(cust, cat, date, v string) string {
		return fmt.Sprintf("%s,2.2,2000,%s,%s%s,\n", cust, cat, date, strings.Repeat(","+v, 48))
	}
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"no header", "a\nb\nc\nd\n", 3, "no Ausgrid header"},
		{"bad slot label", strings.Replace(hdr, ",1:00,", ",1:15,", 1), 1, `header column 7 is "1:15", want 1:00`},
		{"bad category", hdr + row("1", "XX", "1/07/2012", "0"), 2, `consumption category "XX"`},
		{"bad date", hdr + row("1", "GC", "31/02/2012", "0"), 2, `date "31/02/2012" not understood`},
		{"repeated category", hdr + row("1", "GC", "1/07/2012", "0") + row("1", "GC", "1/07/2012", "0"), 3, "a second GC row for customer 1 on 2012-07-01 (the first is on line 2)"},
		{"negative", hdr + row("1", "GC", "1/07/2012", "-1"), 2, "half hour 1 value -1 is negative"},
		{"short row", hdr + "1,2.2,2000,GC,1/07/2012,1\n", 2, "the row has 6 fields, the header has 54"},
		{"energy in the DST gap", hdr + row("1", "GC", "2/10/2011", "0.1"), 2, "half hour 5 (02:00) does not exist in Australia/Sydney"},
		{"absurd", hdr + row("1", "GC", "1/07/2012", "50001"), 2, "half hour 1 value 50001 kWh is more than 100 MW on average"},
		{"CR only, absurd", strings.ReplaceAll(hdr+row("1", "GC", "1/07/2012", "1")+row("1", "GG", "1/07/2012", "1e9"), "\n", "\r"), 3, "half hour 1 value 1e9 kWh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := NewAusgrid(strings.NewReader(tt.in), "a.csv", Config{})
			if err == nil {
				_, err = readAll(t, src)
			}
			assertParseError(t, err, "a.csv", tt.line, tt.want)
		})
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Format
	}{
		{"100,NEM12,200505181432,A,B\n", FormatNEM12},
		{"\r\n200,VABD000163,E1Q1,1,E1,N1,METSER123,kWh,30,\n", FormatNEM12},
		{"title\nCustomer,Generator Capacity,Postcode,Consumption Category,date,0:30\n", FormatAusgrid},
		{",GC,GG\n2011-07-01 00:00:00,0.392,0.0\n", FormatCSV},
	}
	for _, tt := range tests {
		got, err := Detect(bufio.NewReader(strings.NewReader(tt.in)), "x")
		if err != nil || got != tt.want {
			t.Errorf("Detect(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	_, err := Detect(bufio.NewReader(strings.NewReader(" \n\n")), "x")
	assertParseError(t, err, "x", 1, "the file is empty")
}

// TestCSVTolerance reads one CSV written the ways spreadsheets and loggers
// write it and wants the rows of the plain file each time.
func TestCSVTolerance(t *testing.T) {
	t.Parallel()
	lines := []string{"timestamp,import,export", "2024-01-01 00:00,1.5,0", "2024-01-01 00:30,2,0.25", "2024-01-01 01:30,0,3"}
	plain := strings.Join(lines, "\n") + "\n"
	want, err := readAll(t, mustCSV(t, plain, Config{}))
	if err != nil || len(want) != 6 {
		t.Fatalf("%d rows, %v", len(want), err)
	}
	join := func(eol string, f func(i int, l string) string) string {
		var b strings.Builder
		for i, l := range lines {
			b.WriteString(f(i, l) + eol)
		}
		return b.String()
	}
	same := func(_ int, l string) string { return l }
	variants := map[string]string{
		"CRLF":          join("\r\n", same),
		"CR only":       join("\r", same),
		"mixed endings": join("", func(i int, l string) string { return l + []string{"\r\n", "\r", "\n"}[i%3] }),
		"padded":        join("\n", func(_ int, l string) string { return l + ",,," }),
		"padded rows":   join("\n", func(i int, l string) string { return l + strings.Repeat(",", i%2) }) + ",,\n",
		"quoted":        join("\n", func(_ int, l string) string { return `"` + strings.ReplaceAll(l, ",", `","`) + `"` }),
		"semicolons":    strings.ReplaceAll(plain, ",", ";"),
	}
	for name, in := range variants {
		src, err := Open(strings.NewReader(in), "x.csv", FormatAuto, Config{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got, err := readAll(t, src)
		if err != nil || len(got) != len(want) {
			t.Errorf("%s: %d rows, %v", name, len(got), err)
			continue
		}
		for i := range want {
			if g, w := got[i], want[i]; g.Channel != w.Channel || !g.Start.Equal(w.Start) || g.Energy != w.Energy || g.Duration != w.Duration {
				t.Errorf("%s: row %d %+v, want %+v", name, i, g, w)
			}
		}
		if notes := src.Notes(); len(notes) != 0 {
			t.Errorf("%s: notes %q", name, notes)
		}
	}
}
