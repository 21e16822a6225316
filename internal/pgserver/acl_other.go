//go:build !linux

package pgserver

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrACLUnsupported reports that solarview cannot open a directory to the
// postgres user alone on this system.
var ErrACLUnsupported = errors.New("granting directory access with POSIX ACLs is only implemented on Linux")

// grantTraverse checks that u can reach dir. Outside Linux it cannot grant
// access, so it reports the first directory in the way.
func grantTraverse(dir string, u *serverUser) ([]string, error) {
	for _, d := range ancestors(dir) {
		fi, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("checking %s: %w", d, err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			continue
		}
		if !aclFromMode(uint32(fi.Mode().Perm())).allows(u, st.Uid, st.Gid, permExec) {
			return nil, fmt.Errorf("the %s user cannot enter %s: %w; set SOLARVIEW_DATA_DIR to a directory it can reach, or run solarview as a normal user",
				u.name, d, ErrACLUnsupported)
		}
	}
	return nil, nil
}
