package commands

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/names"
)

// Every leaf command is three small pieces, as in river's CLI:
//
//   - an options struct (siteAddOpts, …) holding the command line's values
//     as the user typed them, filled from the cli.Context by one function
//     (siteAddOptsFrom, …) that neither checks nor fails;
//   - its Validate method, which checks those values alone and keeps what it
//     parsed in unexported fields for the run;
//   - the run (siteAdd, …), which does the work from the Env and the options
//     without seeing the cli.Context.
//
// Validate never opens a file or a connection, so a test can call it
// directly, in parallel, without a database; and a refused value never
// starts the embedded server. Checks that need the Env (is --database-url
// set?, which views are registered?) or a file's content stay in the run.
// How the command line is shaped (how many positional arguments, required
// flags, whether solarview's tables are needed) is not Validate's: see
// commandSpecs.

// options is what [leaf] asks of every command's options.
type options interface {
	// Validate checks the values given on the command line, with the
	// one-line message the user sees. It reads nothing but its receiver
	// (and the system's time zone database).
	Validate() error
}

// leaf ties a command's pieces into its cli action: read the options,
// validate them, run. It runs after commandSpecs' checks (see
// [guardCommands]).
func leaf[O options](read func(*cli.Context) O, run func(context.Context, *Env, O) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		opts := read(c)
		if err := opts.Validate(); err != nil {
			return err
		}
		return run(c.Context, envOf(c), opts)
	}
}

// optional returns flag's value, or nil when the flag was not given: for
// flags where an empty value is a mistake to report, not an absence.
func optional(c *cli.Context, flag string) *string {
	if !c.IsSet(flag) {
		return nil
	}
	v := c.String(flag)
	return &v
}

// checkNameFlag refuses a value of a flag holding a record's name of kind
// (see [names.Check]), naming the flag; an absent flag is fine.
func checkNameFlag(flag, kind string, value *string) error {
	if value == nil {
		return nil
	}
	if err := names.Check(kind, *value); err != nil {
		return fmt.Errorf("--%s: %w", flag, err)
	}
	return nil
}

// numberFlag is a numeric flag's name and value (nil when not given).
type numberFlag struct {
	name  string
	value *string
}

// checkNumberFlags applies [checkNumbers] to every flag given, in order:
// the first absurd number is the error, whatever unit follows it.
func checkNumberFlags(flags ...numberFlag) error {
	for _, f := range flags {
		if f.value == nil {
			continue
		}
		if err := checkNumbers(f.name, *f.value); err != nil {
			return err
		}
	}
	return nil
}

// maxMagnitude bounds every number given in a numeric flag. Numbers beyond
// it are mistakes, and they overflow: 1e308kWh is +Inf Wh, which the
// simulation would then carry into every figure.
const maxMagnitude = 1e12

// numberToken finds the numbers in a flag value such as "1500+700/kWh",
// "5kWh,10kWh" or "90%", including the words strconv.ParseFloat reads as
// infinity and NaN.
var numberToken = regexp.MustCompile(`(?i)[0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?|\binf(?:inity)?\b|\bnan\b`)

// checkNumbers refuses a flag value holding a number that is not finite or
// is larger than maxMagnitude, naming the flag.
func checkNumbers(flag, value string) error {
	for _, tok := range numberToken.FindAllString(value, -1) {
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			continue // not a number after all; the command's parser says why
		}
		if math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > maxMagnitude {
			return fmt.Errorf("--%s %s: %s is not a finite number up to %g", flag, names.Quote(value), tok, float64(maxMagnitude))
		}
	}
	return nil
}
