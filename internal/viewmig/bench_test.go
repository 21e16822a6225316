package viewmig

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCheckProcess times `solarview check` as a whole process (start,
// render every view, replay every migration, compare, exit), which is what
// CI pays: on solarview's own views and migrations, and on 500 generated
// views. The baseline is `solarview --help` in the same run, the cost of
// merely starting the binary; check_vs_start reports the ratio.
//
//	go test ./internal/viewmig -run '^$' -bench CheckProcess -benchtime 20x
func BenchmarkCheckProcess(b *testing.B) {
	root, err := filepath.Abs("../..")
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(b.TempDir(), "benchcheck")
	build := exec.Command("go", "build", "-o", bin, "./internal/viewmig/benchcheck")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building benchcheck: %v\n%s", err, out)
	}
	run := func(b *testing.B, n int, args ...string) time.Duration {
		b.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "BENCHCHECK_VIEWS="+strconv.Itoa(n))
		start := time.Now()
		out, err := cmd.CombinedOutput()
		elapsed := time.Since(start)
		// Exit 1 (drift from views still in progress elsewhere) is timed
		// like success; anything else is a broken benchmark.
		if err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				b.Fatalf("%v: %v\n%s", args, err, out)
			}
		}
		return elapsed
	}
	for _, bc := range []struct {
		name  string
		views int
	}{{"project", 0}, {"500_views", 500}} {
		b.Run(bc.name, func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "migrations")
			run(b, bc.views, "generate", dir)
			var start, check time.Duration
			for b.Loop() {
				start += run(b, bc.views, "--help")
				check += run(b, bc.views, "check", "--dir", dir)
			}
			b.ReportMetric(float64(check.Microseconds())/1000/float64(b.N), "check_ms")
			b.ReportMetric(float64(start.Microseconds())/1000/float64(b.N), "start_ms")
			b.ReportMetric(float64(check)/float64(start), "check_vs_start")
		})
	}
}
