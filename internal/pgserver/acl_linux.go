package pgserver

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// canTraverse reports whether u may search (enter) directory d, evaluating
// its POSIX ACL as the kernel would, or its mode bits when it has none.
func canTraverse(d string, u *serverUser) (bool, error) {
	var st unix.Stat_t
	if err := unix.Stat(d, &st); err != nil {
		return false, fmt.Errorf("checking %s: %w", d, err)
	}
	cur, err := readACL(d, st.Mode)
	if err != nil {
		return false, err
	}
	return cur.allows(u, st.Uid, st.Gid, permExec), nil
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
