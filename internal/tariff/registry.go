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

// Components is the registry of the component types solarview ships: one
// Go type for each entry of models.TariffComponentTypes, under its name.
var Components = shipped(map[string]func() Component{
	models.DailySupplyChargeComponent: func() Component { return new(DailySupplyCharge) },
	models.UsageRateComponent:         func() Component { return new(UsageRate) },
	models.FeedInRateComponent:        func() Component { return new(FeedInRate) },
	models.DemandChargeComponent:      func() Component { return new(DemandCharge) },
	models.BlockRateComponent:         func() Component { return new(BlockRate) },
	models.DiscountComponent:          func() Component { return new(PercentDiscount) },
})

// shipped builds the registry of models.TariffComponentTypes from the Go
// type of each. It panics when the two disagree — a type without a Go type,
// a Go type for no listed type, or one that is not the listed table's — which
// any test run catches.
func shipped(types map[string]func() Component) *Registry {
	kinds := make([]Kind, 0, len(types))
	for _, ct := range models.TariffComponentTypes {
		newFn, ok := types[ct.Name]
		if !ok {
			panic(fmt.Sprintf("tariff: component type %q has no Go type", ct.Name))
		}
		if !embeds(newFn(), reflect.TypeOf(ct.Table).Elem()) {
			panic(fmt.Sprintf("tariff: the Go type of component type %q does not extend %s", ct.Name, reflect.TypeOf(ct.Table).Elem()))
		}
		kinds = append(kinds, Kind{Model: ct.Name, New: newFn})
	}
	if len(kinds) != len(types) {
		panic("tariff: a Go component type for a type models.TariffComponentTypes does not list")
	}
	return NewRegistry(kinds...)
}

// embeds reports whether c's struct embeds the table model t.
func embeds(c Component, t reflect.Type) bool {
	v := reflect.TypeOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Anonymous && f.Type == t {
			return true
		}
	}
	return false
}

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
