package commands

import (
	"strings"
	"testing"

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
		"2 files: 1,152 rows (1,152 new, 0 replaced, 0 unchanged)",
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
