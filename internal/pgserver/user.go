package pgserver

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// serverUser is the account the server runs as when solarview runs as root.
type serverUser struct {
	name     string
	uid, gid int
	groups   []int // all its groups, primary included
}

// serverUserName is the system account that Debian, Fedora and Homebrew
// packages create for PostgreSQL.
const serverUserName = "postgres"

// lookupServerUser returns nil when this process can run PostgreSQL itself
// (any user but root), and the postgres system user otherwise.
func lookupServerUser() (*serverUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUserName)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no %q system user to run it as: "+
			"create one (useradd --system --user-group %s) or run solarview as a normal user", serverUserName, serverUserName)
	}
	return parseUser(u)
}

func parseUser(u *user.User) (*serverUser, error) {
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user %s: %w", u.Username, err)
	}
	su := &serverUser{name: u.Username, uid: uid, gid: gid, groups: []int{gid}}
	if ids, err := u.GroupIds(); err == nil {
		for _, s := range ids {
			if g, err := strconv.Atoi(s); err == nil && g != gid {
				su.groups = append(su.groups, g)
			}
		}
	}
	return su, nil
}

// procAttr runs a child as the server user (when there is one) with its
// supplementary groups.
func (c *Cluster) procAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{}
	if c.owner != nil {
		groups := make([]uint32, len(c.owner.groups))
		for i, g := range c.owner.groups {
			groups[i] = uint32(g)
		}
		a.Credential = &syscall.Credential{Uid: uint32(c.owner.uid), Gid: uint32(c.owner.gid), Groups: groups}
	}
	return a
}

// mkdirOwned creates dir 0700, owned by the server user.
func (c *Cluster) mkdirOwned(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return c.chown(dir)
}

func (c *Cluster) chown(path string) error {
	if c.owner == nil {
		return nil
	}
	if err := os.Chown(path, c.owner.uid, c.owner.gid); err != nil {
		return fmt.Errorf("giving %s to the %s user: %w", path, c.owner.name, err)
	}
	return nil
}

// ensureTraversable makes sure the server user can reach dir: every
// directory from / down to dir that it cannot traverse gets a POSIX ACL
// entry granting it (only it) execute permission. Symlinks are resolved
// first, since the kernel checks the directories of the real path.
func (c *Cluster) ensureTraversable(dir string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("resolving %s: %w", dir, err)
	}
	granted, err := grantTraverse(real, c.owner)
	for _, d := range granted {
		fmt.Fprintf(c.log, "granted the %s user traverse-only access to %s (ACL user:%s:--x) so the server can reach its data directory\n",
			c.owner.name, d, c.owner.name)
	}
	return err
}

// ancestors returns "/" and each directory down to dir (absolute, clean).
func ancestors(dir string) []string {
	dir = filepath.Clean(dir)
	out := []string{"/"}
	cur := ""
	for _, part := range strings.Split(strings.TrimPrefix(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur += "/" + part
		out = append(out, cur)
	}
	return out
}
