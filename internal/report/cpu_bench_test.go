package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// cpuUse is CPU time spent so far by this process and by every PostgreSQL
// process on the machine (the test cluster's backends: benchmarks run
// alone), read from getrusage and /proc.
type cpuUse struct{ client, server time.Duration }

func readCPU() cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.client = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lp, rp := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if lp < 0 || rp < lp || !bytes.HasPrefix(b[lp+1:rp], []byte("postgres")) {
			continue
		}
		f := bytes.Fields(b[rp+1:])
		// Fields after the name: state is 0, utime 11, stime 12 (clock ticks).
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(string(f[11]), 10, 64)
		st, _ := strconv.ParseInt(string(f[12]), 10, 64)
		u.server += time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	}
	return u
}

func (u cpuUse) since(then cpuUse) cpuUse {
	return cpuUse{u.client - then.client, u.server - then.server}
}
