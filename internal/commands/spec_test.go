package commands

import (
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestEveryCommandHasASpec keeps commandSpecs complete: a command added
// without declaring its arguments would silently accept any.
func TestEveryCommandHasASpec(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			path := strings.TrimSpace(prefix + " " + c.Name)
			if len(c.Subcommands) > 0 {
				walk(path, c.Subcommands)
				continue
			}
			seen[path] = true
			if _, ok := commandSpecs[path]; !ok {
				t.Errorf("command %q has no entry in commandSpecs", path)
			}
		}
	}
	walk("", App(io.Discard, io.Discard).Commands)
	for path := range commandSpecs {
		if !seen[path] {
			t.Errorf("commandSpecs lists %q, which is no command", path)
		}
	}
}

func TestCheckNumbers(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"13.5kWh", "5kWh,10kWh,13.5kWh", "1500+700/kWh", "90%", "0.9", "1e12Wh", "-0.05", "10"} {
		if err := checkNumbers("x", ok); err != nil {
			t.Errorf("checkNumbers(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"1e308kWh", "inf", "+Inf", "-infinity", "NaN", "nan%", "5kWh,1e400kWh", "1500+1e13/kWh", "1.1e12"} {
		if err := checkNumbers("x", bad); err == nil {
			t.Errorf("checkNumbers(%q) accepted it", bad)
		}
	}
}
