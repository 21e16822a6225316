// Package storagebench measures how solarview stores interval energy: the
// disk one site-year takes, and what streaming the summary and
// daily_summary views costs against the same rows read from a plain
// per-interval table. It holds benchmarks only:
//
//	go test -run '^$' -bench . -benchtime 5x ./internal/storagebench
package storagebench
