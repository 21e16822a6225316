package commands

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/testfiles"
)

// importData returns the path of real test data file rel (see package
// testfiles).
func importData(t *testing.T, rel string) string {
	t.Helper()
	return testfiles.Path(t, rel)
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	nem := importData(t, "nem12/NEM12_Scenario06_ETSAMDP_NEMMCO.csv")
	other := importData(t, "nem12/nem12_SCENARIO02NEM1202023_ELECTDSM_NEMMCO.csv")
	dsn := dbtest.NewDatabase(t, true)

	out := mustRun(t, dsn, "import", nem, other)
	for _, want := range []string{
		"Imported " + nem + " (NEM12) in ",
		"sites:      NEM1206111 (new, Australia/Sydney)",
		"E1 import ",
		"B1 export ",
		"period:     2005-01-05 00:00 to 2005-01-09 00:00 (NEM time, UTC+10)",
		"rows:       384 in the file: 384 new, 0 replaced, 0 unchanged",
		"non-actual: 48 of 384 intervals (12.5%)",
		"note:       ignored 768 intervals of channel(s) K1, Q1",
		"Summary:\n  " + nem + ": imported, 384 rows (384 new, 0 replaced, 0 unchanged)\n",
		"2 files: 2 imported, 0 with nothing to import, 0 refused; 1,152 rows (1,152 new, 0 replaced, 0 unchanged)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\r\x1b") {
		t.Errorf("progress bar drawn into captured output:\n%q", out)
	}

	out = mustRun(t, dsn, "import", "--format", "nem12", nem)
	if !strings.Contains(out, "0 new, 0 replaced, 384 unchanged — nothing changed") {
		t.Errorf("re-import:\n%s", out)
	}
	if out := mustRun(t, dsn, "site", "list"); strings.Contains(out, "no data") {
		t.Errorf("site list shows an imported site without data:\n%s", out)
	}
	if out := mustRun(t, dsn, "site", "list"); !strings.Contains(out, "NEM1206111") || !strings.Contains(out, "NEM1202023") {
		t.Errorf("site list:\n%s", out)
	}
}

func TestImportCommandErrors(t *testing.T) {
	t.Parallel()
	invalid := importData(t, "nem12/invalid/Example_NEM12_missing_header.csv")
	ausgrid := importData(t, "ausgrid/customer12-2011-2012.csv")
	dsn := dbtest.NewDatabase(t, true)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "solarview: import needs at least one FILE\n"},
		{[]string{"import", invalid}, "solarview: " + invalid + ":2: the file must start with a 100 header record, found a 200 record first\n"},
		{[]string{"import", ausgrid}, "solarview: " + ausgrid + ": CSV files carry no site identity: name the site with --site NAME\n"},
		{[]string{"import", "--format", "xml", ausgrid}, "solarview: unknown format \"xml\" (want auto, nem12, csv or ausgrid)\n"},
		{[]string{"import", "--unit", "J", ausgrid}, "solarview: unknown unit \"J\" (want Wh, kWh or MWh, or W or kW for average power)\n"},
		{[]string{"import", "--site", "x", "--tz", "Nowhere/Town", ausgrid}, "solarview: unknown time zone \"Nowhere/Town\": use an IANA name such as Australia/Sydney\n"},
		{[]string{"import", "no-such-file.csv"}, "solarview: cannot read no-such-file.csv: no such file or directory\n"},
		{[]string{"import", "--format", "nem12", ausgrid}, "solarview: " + ausgrid + ":1: not a NEM12 file: the first record should be a 100 header, found \"\"\n"},
	}
	for _, tt := range tests {
		r := run(t, dsn, tt.args...)
		if r.code != 1 || r.stderr != tt.want || r.stdout != "" {
			t.Errorf("solarview %s: exit %d\nstdout %q\nstderr %q\nwant   %q", strings.Join(tt.args, " "), r.code, r.stdout, r.stderr, tt.want)
		}
	}
	if out := mustRun(t, dsn, "site", "list"); !strings.Contains(out, "No sites yet") {
		t.Errorf("failed imports left sites:\n%s", out)
	}
}

// writeFile writes content to a file of the test's own and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func nem12File(nmi, date, value string) string {
	return "100,NEM12,200505181432,A,B\n200," + nmi + ",E1,E1,E1,N1,1,kWh,30,\n300," + date +
		strings.Repeat(","+value, 48) + ",A,,,,\n900\n"
}

const reactiveNEM12 = "100,NEM12,200505181432,A,B\n200,NMIQ,Q1,Q1,Q1,N1,1,kVArh,30,\n300,20240101" +
	",1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,A,,,,\n900\n"

// TestImportBatch: one command, several files. A refused file is named and
// the rest are still imported; a file of reactive energy only imports
// nothing and is fine; the summary has a line per file and a total; exit 1.
// --fail-fast stops at the refused file.
func TestImportBatch(t *testing.T) {
	t.Parallel()
	good1 := writeFile(t, "a.csv", nem12File("NMIA", "20240101", "1"))
	// Padded by a spreadsheet, CR line endings, a trailing "900,".
	good2 := writeFile(t, "b.csv", strings.ReplaceAll(strings.ReplaceAll(nem12File("NMIB", "20240101", "2"), "\n900\n", "\n900,\n"), "\n", ",,\r"))
	reactive := writeFile(t, "q.csv", reactiveNEM12)
	bad := writeFile(t, "bad.csv", strings.Replace(nem12File("NMIC", "20240101", "1"), ",1,A", ",A", 1))
	dsn := dbtest.NewDatabase(t, true)

	r := run(t, dsn, "import", good1, bad, reactive, good2)
	badReason := "line 3: 300 record has 47 interval values, but the 200 record on line 2 gives 30-minute intervals: a day has 48"
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, want := range []string{
		"Imported " + good1 + " (NEM12)",
		"Nothing to import from " + reactive + " (NEM12): no import or export energy",
		"note:       ignored 48 intervals of channel(s) Q1: only E (import) and B (export) channels hold energy",
		"Imported " + good2 + " (NEM12)",
		"Summary:\n",
		"  " + good1 + ": imported, 48 rows (48 new, 0 replaced, 0 unchanged)\n",
		"  " + bad + ": refused: " + badReason + "\n",
		"  " + reactive + ": nothing to import (ignored 48 intervals of channel(s) Q1",
		"  " + good2 + ": imported, 48 rows (48 new, 0 replaced, 0 unchanged)\n",
		"4 files: 2 imported, 1 with nothing to import, 1 refused; 96 rows (96 new, 0 replaced, 0 unchanged) in ",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	wantErr := "solarview: " + bad + ":3: 300 record has 47 interval values, but the 200 record on line 2 gives 30-minute intervals: a day has 48\n" +
		"solarview: 1 of 4 files refused\n"
	if r.stderr != wantErr {
		t.Errorf("stderr %q, want %q", r.stderr, wantErr)
	}
	if out := mustRun(t, dsn, "site", "list"); !strings.Contains(out, "NMIA") || !strings.Contains(out, "NMIB") || strings.Contains(out, "NMIQ") || strings.Contains(out, "NMIC") {
		t.Errorf("site list:\n%s", out)
	}

	// All imported or nothing to import: exit 0.
	if out := mustRun(t, dsn, "import", reactive, good1); !strings.Contains(out, "2 files: 1 imported, 1 with nothing to import, 0 refused; 48 rows (0 new, 0 replaced, 48 unchanged)") {
		t.Errorf("second batch:\n%s", out)
	}
	// A single file of nothing: exit 0 too.
	if out := mustRun(t, dsn, "import", reactive); !strings.HasPrefix(out, "Nothing to import from "+reactive) {
		t.Errorf("reactive alone:\n%s", out)
	}

	// --fail-fast: stop at the refused file, the one before stays.
	good3 := writeFile(t, "c.csv", nem12File("NMID", "20240101", "3"))
	good4 := writeFile(t, "d.csv", nem12File("NMIE", "20240101", "4"))
	r = run(t, dsn, "import", "--fail-fast", good3, bad, good4)
	if r.code != 1 || r.stderr != "(1 file(s) before "+bad+" were imported)\nsolarview: "+bad+":3: 300 record has 47 interval values, but the 200 record on line 2 gives 30-minute intervals: a day has 48\n" {
		t.Errorf("--fail-fast: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, good4) || strings.Contains(r.stdout, "Summary") {
		t.Errorf("--fail-fast read on:\n%s", r.stdout)
	}
	// A missing file in a batch is a refusal like any other.
	r = run(t, dsn, "import", good4, "no-such.csv")
	if r.code != 1 || !strings.Contains(r.stdout, "  no-such.csv: refused: cannot read no-such.csv: no such file or directory\n") ||
		!strings.Contains(r.stdout, "  "+good4+": imported, 48 rows (48 new") {
		t.Errorf("missing file: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestImportRepeatedDaySummary: a file giving a day twice says so, and its
// row and interval counts agree.
func TestImportRepeatedDaySummary(t *testing.T) {
	t.Parallel()
	day := func(v string) string { return "300,20240101" + strings.Repeat(","+v, 48) + ",A,,,,\n" }
	f := writeFile(t, "twice.csv", "100,NEM12,200505181432,A,B\n200,NMIR,E1,E1,E1,N1,1,kWh,30,\n"+day("1")+day("2")+"900\n")
	dsn := dbtest.NewDatabase(t, true)
	out := mustRun(t, dsn, "import", f)
	if !strings.Contains(out, "rows:       96 in the file, 48 of them repeats (the last kept): 48 new, 0 replaced, 0 unchanged") ||
		!strings.Contains(out, "non-actual: 0 of 96 intervals") {
		t.Errorf("summary:\n%s", out)
	}
}

// TestImportStdin: "-" reads standard input, and /dev/stdin fed by a pipe
// works as well: both are spooled once and imported like the file.
func TestImportStdin(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	csv := "timestamp,import,export\n"
	for i := 0; i < 24; i++ {
		csv += fmt.Sprintf("2024-01-01 %02d:00,1,0\n2024-01-01 %02d:30,0,1\n", i, i)
	}
	for _, tt := range []struct {
		args       []string
		data, want string
	}{
		{[]string{"import", "--format", "nem12", "-"}, nem12File("NMIS", "20240101", "1"), "Imported <stdin> (NEM12)"},
		{[]string{"import", "--site", "home", "/dev/stdin"}, csv, "rows:       96 in the file: 96 new"},
	} {
		args := tt.args
		cmd := runProcess(dsn, args...)
		cmd.Stdin = strings.NewReader(tt.data) // a pipe, for the child
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr.String())
		}
		if !strings.Contains(stdout.String(), tt.want) {
			t.Errorf("%v:\n%s", args, stdout.String())
		}
	}
	// Told twice, standard input is refused before anything is read.
	if r := run(t, dsn, "import", "-", "-"); r.code != 1 || r.stderr != "solarview: standard input (-) can be imported once only\n" {
		t.Errorf("- -: %d %q", r.code, r.stderr)
	}
	// Errors in standard input name it.
	cmd := runProcess(dsn, "import", "-")
	cmd.Stdin = strings.NewReader("100,NEM12,200505181432,A,B\n300,20240101\n")
	out, _ := cmd.CombinedOutput()
	if string(out) != "solarview: <stdin>:2: 300 record before any 200 record\n" {
		t.Errorf("bad stdin: %q", out)
	}
}

// TestImportDevZero: an endless line is one error line, quickly.
func TestImportDevZero(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	r := run(t, dsn, "import", "--site", "z", "/dev/zero")
	if r.code != 1 || r.stderr != "solarview: /dev/zero:1: the line is longer than 1048576 bytes: this is not a meter data file (or it lacks line breaks)\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestImportInterrupted sends the process SIGINT while it waits for the
// second file (standard input, still open): that file leaves nothing, the
// first stays and is named, the third is not read.
func TestImportInterrupted(t *testing.T) {
	t.Parallel()
	first := writeFile(t, "first.csv", nem12File("NMIF", "20240101", "1"))
	third := writeFile(t, "third.csv", nem12File("NMIT", "20240101", "1"))
	dsn := dbtest.NewDatabase(t, true)
	cmd := runProcess(dsn, "import", first, "-", third)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Half a file on standard input, then wait for the first file's summary.
	if _, err := io.WriteString(stdin, "100,NEM12,200505181432,A,B\n200,NMIX,E1,E1,E1,N1,1,kWh,30,\n"); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var out strings.Builder
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "  rows:") {
			break
		}
	}
	time.Sleep(200 * time.Millisecond) // let it reach standard input
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	out.Write(rest)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("exit %v, want 130", err)
	}
	want := "solarview: interrupted: nothing from <stdin> was imported; already imported and kept: " + first + "; not read: " + third + "\n"
	if stderr.String() != want {
		t.Errorf("stderr %q\nwant   %q", stderr.String(), want)
	}
	if !strings.Contains(out.String(), "Imported "+first) || strings.Contains(out.String(), "Summary") {
		t.Errorf("stdout:\n%s", out.String())
	}
	list := mustRun(t, dsn, "site", "list")
	if !strings.Contains(list, "NMIF") || strings.Contains(list, "NMIX") || strings.Contains(list, "NMIT") {
		t.Errorf("site list:\n%s", list)
	}
}
