package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/report"
)

// A fleet where no site could be reported is still written, each site with
// its reason: JSON lists the skipped sites with a null rank, the table
// under "Skipped".
func TestFleetNothingReported(t *testing.T) {
	t.Parallel()
	fl := &report.Fleet{Skipped: 2, Batteries: 1, LifetimeYears: 10, BestBy: "savings", Rows: []report.SiteRow{
		{Site: "no-data-yet", TimeZone: "Australia/Perth", Reason: `site "no-data-yet" has no data`},
		{Site: "fleet-00003", TimeZone: "Australia/Sydney", Reason: "no billing period"},
	}}
	var out bytes.Buffer
	if err := WriteFleet(&out, fl, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Reported int `json:"reported"`
		Sites    []struct {
			Rank   *int    `json:"rank"`
			Site   string  `json:"site"`
			Reason *string `json:"reason"`
		} `json:"sites"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if doc.Reported != 0 || len(doc.Sites) != 2 {
		t.Fatalf("%s", out.String())
	}
	for _, s := range doc.Sites {
		if s.Rank != nil || s.Reason == nil || *s.Reason == "" {
			t.Errorf("skipped site %+v", s)
		}
	}
	out.Reset()
	if err := WriteFleet(&out, fl, FormatTable); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 reported, 2 skipped") || !strings.Contains(out.String(), "  fleet-00003: no billing period\n") {
		t.Errorf("table:\n%s", out.String())
	}
}
