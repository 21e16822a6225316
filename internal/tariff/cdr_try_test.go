package tariff

import (
	"os"
	"testing"
)

func TestTryCDR(t *testing.T) {
	for _, f := range []string{"single_rate_stepped", "time_of_use", "demand"} {
		data, _ := os.ReadFile("testdata/cdr/" + f + ".json")
		p, err := ReadPlan(data, PlanOptions{Assume: []string{"pay-on-time"}})
		if err != nil {
			t.Fatal(f, err)
		}
		tr := &Tariff{Name: f, Components: p.Components}
		t.Log(f, p.Format, p.Name, p.Retailer, p.GSTPercent, p.Applied, tr.Validate())
		for _, c := range p.Components {
			t.Log("  ", c.Category(), c.ComponentBase().Label, ":", c.Describe())
		}
		for _, u := range p.Unpriced {
			t.Log("  unpriced:", u)
		}
	}
}
