package ingest

import (
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
