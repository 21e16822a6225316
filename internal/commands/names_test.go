package commands

import (
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

// A mistyped site, tariff or view name is answered in one style, with a
// suggestion, whichever command it reaches.
func TestMistypedNamesAreAnsweredAlike(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	mustRun(t, dsn, "site", "add", "home")
	mustRun(t, dsn, "tariff", "add", "Demo TOU", "--retailer", "Sunny", "--supply", "1", "--usage", "0.3")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"billing", "list", "--site", "hme"}, `solarview: no site named "hme"; did you mean "home"?` + "\n"},
		{[]string{"battery", "--site", "hme"}, `solarview: no site named "hme"; did you mean "home"?` + "\n"},
		{[]string{"tariff", "show", "demo-tuo"}, `solarview: no tariff named "demo-tuo"; did you mean "Demo TOU"?` + "\n"},
		{[]string{"sqlview", "sumary"}, `solarview: no view named "sumary"; did you mean "summary"?` + "\n"},
	} {
		r := run(t, dsn, c.args...)
		if r.code != 1 || r.stderr != c.want {
			t.Errorf("solarview %q: exit %d, stderr %q; want exit 1, %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
