package tariff

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/solarview/solarview/internal/jsonmodel"
	"github.com/solarview/solarview/models"
)

// Kind registers one component type.
type Kind struct {
	// Model is the name the tariff_components view gives rows of this type
	// (its "model" column).
	Model string
	// New returns an empty component to decode a row into: a pointer to a
	// Bun model struct whose columns are the table's.
	New func() Component
}

// Registry maps the view's model names to component types.
type Registry struct {
	kinds  map[string]Kind
	models map[reflect.Type]string
}

// NewRegistry builds a registry of kinds. It panics on a duplicate or empty
// model name: registries are built from literals, so that is a programming
// error any test run catches.
func NewRegistry(kinds ...Kind) *Registry {
	r := &Registry{kinds: map[string]Kind{}, models: map[reflect.Type]string{}}
	for _, k := range kinds {
		if k.Model == "" || k.New == nil {
			panic("tariff: a Kind needs a Model and New")
		}
		if _, dup := r.kinds[k.Model]; dup {
			panic(fmt.Sprintf("tariff: model %q registered twice", k.Model))
		}
		r.kinds[k.Model] = k
		r.models[reflect.TypeOf(k.New())] = k.Model
	}
	return r
}

// With returns a copy of r with more kinds: how a test, or a plug-in, adds a
// component type without touching the built-in list.
func (r *Registry) With(kinds ...Kind) *Registry {
	all := make([]Kind, 0, len(r.kinds)+len(kinds))
	for _, k := range r.kinds {
		all = append(all, k)
	}
	return NewRegistry(append(all, kinds...)...)
}

// Models lists the registered model names, sorted.
func (r *Registry) Models() []string {
	out := make([]string, 0, len(r.kinds))
	for m := range r.kinds {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// ModelOf returns the model name c is registered under.
func (r *Registry) ModelOf(c Component) (string, bool) {
	m, ok := r.models[reflect.TypeOf(c)]
	return m, ok
}

// Components is the registry of the component types solarview ships, one
// entry per type; the names match the branches of the tariff_components
// view in package views.
var Components = NewRegistry(
	Kind{Model: "daily_supply_charge", New: func() Component { return new(DailySupplyCharge) }},
	Kind{Model: "usage_rate", New: func() Component { return new(UsageRate) }},
	Kind{Model: "feed_in_rate", New: func() Component { return new(FeedInRate) }},
	Kind{Model: "demand_charge", New: func() Component { return new(DemandCharge) }},
	Kind{Model: "block_rate", New: func() Component { return new(BlockRate) }},
	Kind{Model: "discount", New: func() Component { return new(PercentDiscount) }},
)

// Decode rebuilds a component from a tariff_components row: its model name
// and its table row as JSON (to_jsonb).
func (r *Registry) Decode(model string, data []byte) (Component, error) {
	k, ok := r.kinds[model]
	if !ok {
		return nil, fmt.Errorf("unknown tariff component model %q (known: %s)", model, strings.Join(r.Models(), ", "))
	}
	c := k.New()
	extra, err := jsonmodel.Unmarshal(data, c)
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", model, err)
	}
	// A column the model does not know could change what the component
	// charges; pricing without it would be silently wrong.
	if len(extra) > 0 {
		return nil, fmt.Errorf("decoding %s: columns %s have no field in %T", model, strings.Join(extra.Keys(), ", "), c)
	}
	return c, nil
}

// DecodeRow is [Registry.Decode] for a scanned view row.
func (r *Registry) DecodeRow(row *models.TariffComponentRow) (Component, error) {
	c, err := r.Decode(row.Model, row.Data)
	if err != nil {
		return nil, fmt.Errorf("tariff component %s %d: %w", row.Model, row.ID, err)
	}
	return c, nil
}
