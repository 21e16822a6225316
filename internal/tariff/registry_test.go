package tariff

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/solarview/solarview/models"
)

// The shipped registry is built from models.TariffComponentTypes and refuses
// to be built when its Go types and that list disagree.
func TestShippedRegistryFollowsTheTypeList(t *testing.T) {
	t.Parallel()
	var names []string
	for _, ct := range models.TariffComponentTypes {
		names = append(names, ct.Name)
	}
	if got, want := strings.Join(Components.Models(), ","), strings.Join(slices.Sorted(slices.Values(names)), ","); got != want {
		t.Errorf("registry models %s, want the listed types %s", got, want)
	}
	all := map[string]func() Component{}
	for _, name := range names {
		all[name] = Components.kinds[name].New
	}
	for _, c := range []struct {
		name  string
		types func() map[string]func() Component
		panic string
	}{
		{"a listed type without a Go type", func() map[string]func() Component {
			m := maps.Clone(all)
			delete(m, models.DiscountComponent)
			return m
		}, `"discount" has no Go type`},
		{"a Go type for no listed type", func() map[string]func() Component {
			m := maps.Clone(all)
			m["export_charge"] = func() Component { return new(UsageRate) }
			return m
		}, "does not list"},
		{"a Go type of another table", func() map[string]func() Component {
			m := maps.Clone(all)
			m[models.UsageRateComponent] = func() Component { return new(FeedInRate) }
			return m
		}, "does not extend models.TariffUsageRate"},
	} {
		got := func() (msg string) {
			defer func() { msg = recoverString(recover()) }()
			shipped(c.types())
			return ""
		}()
		if !strings.Contains(got, c.panic) {
			t.Errorf("%s: panic %q, want one containing %q", c.name, got, c.panic)
		}
	}
}

func recoverString(p any) string {
	if s, ok := p.(string); ok {
		return s
	}
	return ""
}
