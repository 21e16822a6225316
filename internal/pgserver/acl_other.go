//go:build !linux

package pgserver

import (
	"fmt"
	"os"
	"syscall"
)

// canTraverse reports whether u may search (enter) directory d by its mode
// bits (ACLs are not read outside Linux).
func canTraverse(d string, u *serverUser) (bool, error) {
	fi, err := os.Stat(d)
	if err != nil {
		return false, fmt.Errorf("checking %s: %w", d, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true, nil
	}
	return aclFromMode(uint32(fi.Mode().Perm())).allows(u, st.Uid, st.Gid, permExec), nil
}
