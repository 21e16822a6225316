package models

import (
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

// TestMain runs the package's tests against real PostgreSQL (see dbtest).
func TestMain(m *testing.M) { dbtest.Main(m) }
