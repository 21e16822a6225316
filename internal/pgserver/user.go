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

// prepareParent creates dir and any missing directory above it, 0700, and
// gives those it created to the server user (as root), so that user can
// enter them. It changes nothing on directories that already exist: as root
// it only checks that the server user can pass through each of them (see
// checkReachable), and refuses otherwise. Loosening a directory such as
// /root would open everything below it whose name is known to the postgres
// user, so it is left to the administrator to decide.
func (c *Cluster) prepareParent(dir string) error {
	var missing []string
	for _, d := range ancestors(dir) {
		if _, err := os.Stat(d); err == nil {
			continue
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("checking %s: %w", d, err)
		}
		missing = append(missing, d)
	}
	existing := dir
	if len(missing) > 0 {
		existing = filepath.Dir(missing[0])
	}
	// Refuse before creating anything.
	if err := c.checkReachable(existing); err != nil {
		return err
	}
	for _, d := range missing {
		if err := c.mkdirOwnedAtomic(d); err != nil {
			return err
		}
	}
	return nil
}

// mkdirOwnedAtomic creates directory d, 0700 and owned by the server user,
// unless it exists. The directory is made under a temporary name and renamed
// into place, so another process starting the same cluster never sees it
// before it has its owner.
func (c *Cluster) mkdirOwnedAtomic(d string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(d), "."+filepath.Base(d)+".new-")
	if err != nil {
		return fmt.Errorf("creating %s: %w", d, err)
	}
	if err := c.chown(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if _, err := os.Stat(d); err == nil {
		return os.Remove(tmp) // another process made it meanwhile
	}
	if err := os.Rename(tmp, d); err != nil {
		os.Remove(tmp)
		if _, serr := os.Stat(d); serr == nil {
			return nil
		}
		return fmt.Errorf("creating %s: %w", d, err)
	}
	return nil
}

// checkReachable refuses, in one line saying what to do, a directory the
// server user cannot reach because some directory on its path is closed to
// it. Symlinks are resolved first, since the kernel checks the directories
// of the real path.
func (c *Cluster) checkReachable(dir string) error {
	if c.owner == nil {
		return nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("resolving %s: %w", dir, err)
	}
	for _, d := range ancestors(real) {
		ok, err := canTraverse(d, c.owner)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the embedded PostgreSQL runs as the %s user when solarview runs as root, and %s cannot enter %s; "+
				"solarview changes no permissions on directories it did not create: unset SOLARVIEW_DATA_DIR to use %s, "+
				"or let it through with: setfacl -m u:%s:x %s",
				c.owner.name, c.owner.name, d, rootDataDir, c.owner.name, d)
		}
	}
	return nil
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

// GiveToServerUser hands dir, which the caller created for this cluster, to
// the server user when solarview runs as root, so the cluster can live below
// it. Start itself never changes a directory it did not create; test helpers
// that make a temporary directory for a cluster call this.
func (c *Cluster) GiveToServerUser(dir string) error {
	return c.chown(dir)
}
