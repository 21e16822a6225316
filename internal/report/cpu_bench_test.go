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
// process on the machine, those that have ended included (the test
// cluster's backends: benchmarks run alone), read from getrusage and /proc.
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
		// Fields after the name: state is 0, utime 11, stime 12, then
		// cutime 13 and cstime 14, the time of children it has reaped
		// (clock ticks). Backends that ended (a psql session's, a pool's
		// closed connection) count through the postmaster's cutime, so
		// the sum never drops when one exits mid-phase.
		if len(f) < 15 {
			continue
		}
		for _, i := range []int{11, 12, 13, 14} {
			t, _ := strconv.ParseInt(string(f[i]), 10, 64)
			u.server += time.Duration(t) * 10 * time.Millisecond // USER_HZ is 100 on Linux
		}
	}
	return u
}

func (u cpuUse) since(then cpuUse) cpuUse {
	return cpuUse{u.client - then.client, u.server - then.server}
}
