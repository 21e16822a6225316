package report

import (
	"math"
	"testing"

	"github.com/solarview/solarview/models"
)

func TestFinance(t *testing.T) {
	t.Parallel()
	u := func(f float64) models.Money { return models.Money(math.Round(f * float64(models.Unit))) }
	// 36.60 saved over 366 days: 0.10 a day, 36.50 a year.
	if got := perDay(u(36.60), 366); got != u(0.10) {
		t.Errorf("perDay = %s", got)
	}
	if got := perYear(u(36.60), 366); got != u(36.50) {
		t.Errorf("perYear = %s", got)
	}
	if perDay(u(1), 0) != 0 || perYear(u(1), 0) != 0 {
		t.Error("no days must give no savings, not a division by zero")
	}
	if got := paybackYears(u(5000), u(400)); got != 12.5 {
		t.Errorf("payback = %v, want 12.5", got)
	}
	if !math.IsInf(paybackYears(u(5000), 0), 1) || !math.IsInf(paybackYears(u(5000), u(-3)), 1) {
		t.Error("a battery that saves nothing must never pay back")
	}
	// 1000 a year for 3 years at 10%: 909.09 + 826.45 + 751.31 = 2486.85.
	if got := npv(u(2000), u(1000), 0.10, 3).RoundCents(); got != u(486.85) {
		t.Errorf("npv = %s, want 486.85", got)
	}
	if got := npv(u(5000), u(400), 0, 10); got != u(-1000) {
		t.Errorf("undiscounted npv = %s, want -1000", got)
	}
}
