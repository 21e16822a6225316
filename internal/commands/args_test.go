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
		args, err := flagsFirst(app, strings.Fields(tt.in))
		if got := strings.Join(args, " "); err != nil || got != tt.want {
			t.Errorf("flagsFirst(%q) = %q, %v; want %q", tt.in, args, err, tt.want)
		}
	}
}

func TestFlagsFirstRefusesAFlagWithoutItsValue(t *testing.T) {
	t.Parallel()
	app := App(io.Discard, io.Discard)
	if args, err := flagsFirst(app, strings.Fields("solarview site add x --tz")); err == nil || err.Error() != "flag --tz needs a value" {
		t.Errorf("flagsFirst = %q, %v; want an error about --tz", args, err)
	}
}
