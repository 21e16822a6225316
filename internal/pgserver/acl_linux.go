package pgserver

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrACLUnsupported reports a filesystem without POSIX ACLs, on which
// solarview cannot open a directory to the postgres user alone.
var ErrACLUnsupported = errors.New("POSIX ACLs are not supported there")

// grantTraverse gives u search permission on every directory from / to dir
// that it lacks it on, by adding user:<u>:--x to the directory's access ACL
// (merging with an existing ACL). It returns the directories it changed.
func grantTraverse(dir string, u *serverUser) ([]string, error) {
	var granted []string
	for _, d := range ancestors(dir) {
		var st unix.Stat_t
		if err := unix.Stat(d, &st); err != nil {
			return granted, fmt.Errorf("checking %s: %w", d, err)
		}
		cur, err := readACL(d, st.Mode)
		if err != nil {
			return granted, err
		}
		if cur.allows(u, st.Uid, st.Gid, permExec) {
			continue
		}
		if err := unix.Setxattr(d, aclXattrName, cur.withTraverse(uint32(u.uid)).encode(), 0); err != nil {
			if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP) {
				return granted, fmt.Errorf("the %s user must be able to enter %s to run the embedded PostgreSQL, "+
					"but granting it access with an ACL failed: %w; set SOLARVIEW_DATA_DIR to a directory it can reach "+
					"(e.g. /var/lib/solarview)", u.name, d, ErrACLUnsupported)
			}
			return granted, fmt.Errorf("granting the %s user access to %s: %w", u.name, d, err)
		}
		granted = append(granted, d)
	}
	return granted, nil
}

// readACL returns path's access ACL, or the one its mode bits imply.
func readACL(path string, mode uint32) (acl, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Getxattr(path, aclXattrName, buf)
		switch {
		case errors.Is(err, unix.ERANGE):
			buf = make([]byte, 2*len(buf))
			continue
		case errors.Is(err, unix.ENODATA), errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.EOPNOTSUPP):
			return aclFromMode(mode), nil
		case err != nil:
			return nil, fmt.Errorf("reading the ACL of %s: %w", path, err)
		}
		a, err := parseACL(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return a, nil
	}
}
