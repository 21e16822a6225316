package commands

import (
	"io"
	"strings"
	"testing"
)

func TestFlagsFirst(t *testing.T) {
	t.Parallel()
	app := App(io.Discard, io.Discard)
	tests := []struct{ in, want string }{
		{"solarview site add home --nmi 123 --tz Australia/Perth", "solarview site add --nmi 123 --tz Australia/Perth home"},
		{"solarview --database-url x site add home", "solarview --database-url x site add home"},
		{"solarview site add --tz=UTC home", "solarview site add --tz=UTC home"},
		{"solarview site add home -- --tz", "solarview site add home -- --tz"},
		{"solarview demo --reset", "solarview demo --reset"},
		{"solarview migrate", "solarview migrate"},
		{"solarview db psql mydb -At -c select", "solarview db psql mydb -At -c select"},
		{"solarview", "solarview"},
	}
	for _, tt := range tests {
		got := strings.Join(flagsFirst(app, strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("flagsFirst(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
