package names

import (
	"fmt"
	"testing"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	known := []string{"home", "holiday house", "summary", "daily_summary", "sensor_latest", "Demo TOU"}
	for in, want := range map[string]string{
		"hme":          "home",
		"HOME":         "home",
		"sumary":       "summary",
		"daily_sumary": "daily_summary",
		"demo-tuo":     "Demo TOU",
		"sensor_lates": "sensor_latest",
		"zzz":          "",
		"office":       "",
		"":             "",
	} {
		if got := Suggest(in, known); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Suggest("x", nil); got != "" {
		t.Errorf("Suggest with no candidates = %q", got)
	}
	// Ties go to the alphabetically first, so answers never depend on order.
	if a, b := Suggest("cat", []string{"cut", "bat"}), Suggest("cat", []string{"bat", "cut"}); a != "bat" || b != "bat" {
		t.Errorf("tie broken as %q and %q, want bat both times", a, b)
	}
	// Distance counts characters, not bytes.
	if got := Suggest("Møller", []string{"Moller"}); got != "Moller" {
		t.Errorf("Suggest(Møller) = %q, want Moller", got)
	}
}

func TestNotFoundError(t *testing.T) {
	t.Parallel()
	many := make([]string, 12)
	for i := range many {
		many[i] = fmt.Sprintf("site%02d", i)
	}
	for _, c := range []struct {
		err  *NotFoundError
		want string
	}{
		{&NotFoundError{Kind: "site", Name: "hme", Known: []string{"home"}}, `no site named "hme"; did you mean "home"?`},
		{&NotFoundError{Kind: "tariff", Name: "x", Known: []string{"Flat", "TOU"}}, `no tariff named "x" (tariffs: "Flat", "TOU")`},
		{&NotFoundError{Kind: "site", Name: "x", Hint: "add one with `solarview site add NAME`"}, "no site named \"x\": there are no sites yet (add one with `solarview site add NAME`)"},
		{&NotFoundError{Kind: "view", Name: "zzzz", Known: many}, `no view named "zzzz" (views: "site00", "site01", "site02", "site03", "site04", "site05", "site06", "site07", and 4 more)`},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
