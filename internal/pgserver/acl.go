package pgserver

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// POSIX access ACLs as Linux stores them in the system.posix_acl_access
// extended attribute (include/uapi/linux/posix_acl_xattr.h): a little-endian
// uint32 version 2, then entries of {uint16 tag, uint16 perm, uint32 id},
// sorted by tag and then id.
const (
	aclXattrName = "system.posix_acl_access"
	aclVersion   = 2

	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20

	aclUndefinedID = 0xffffffff

	permExec = 1
)

type aclEntry struct {
	tag  uint16
	perm uint16
	id   uint32
}

type acl []aclEntry

// aclFromMode is the minimal ACL equivalent to permission bits.
func aclFromMode(mode uint32) acl {
	return acl{
		{aclUserObj, uint16(mode >> 6 & 7), aclUndefinedID},
		{aclGroupObj, uint16(mode >> 3 & 7), aclUndefinedID},
		{aclOther, uint16(mode & 7), aclUndefinedID},
	}
}

func parseACL(b []byte) (acl, error) {
	if len(b) < 4 || (len(b)-4)%8 != 0 {
		return nil, fmt.Errorf("malformed ACL (%d bytes)", len(b))
	}
	if v := binary.LittleEndian.Uint32(b); v != aclVersion {
		return nil, fmt.Errorf("unsupported ACL version %d", v)
	}
	var a acl
	for p := b[4:]; len(p) > 0; p = p[8:] {
		a = append(a, aclEntry{
			tag:  binary.LittleEndian.Uint16(p),
			perm: binary.LittleEndian.Uint16(p[2:]),
			id:   binary.LittleEndian.Uint32(p[4:]),
		})
	}
	return a, a.validate()
}

func (a acl) validate() error {
	counts := map[uint16]int{}
	for _, e := range a {
		counts[e.tag]++
	}
	if counts[aclUserObj] != 1 || counts[aclGroupObj] != 1 || counts[aclOther] != 1 {
		return errors.New("malformed ACL: needs exactly one owner, group and other entry")
	}
	if counts[aclMask] > 1 || (counts[aclMask] == 0 && counts[aclUser]+counts[aclGroup] > 0) {
		return errors.New("malformed ACL: bad mask entry")
	}
	return nil
}

func (a acl) encode() []byte {
	b := make([]byte, 4, 4+8*len(a))
	binary.LittleEndian.PutUint32(b, aclVersion)
	for _, e := range a {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.perm)
		b = binary.LittleEndian.AppendUint32(b, e.id)
	}
	return b
}

func (a acl) find(tag uint16, id uint32) int {
	for i, e := range a {
		if e.tag == tag && (id == aclUndefinedID || e.id == id) {
			return i
		}
	}
	return -1
}

// allows evaluates the ACL like the kernel does (POSIX.1e access check): owner
// entry, else a named-user entry, else any matching group entry, else other;
// named users and all groups limited by the mask.
func (a acl) allows(u *serverUser, ownerUID, ownerGID uint32, perm uint16) bool {
	uid := uint32(u.uid)
	if uid == ownerUID {
		return a[a.find(aclUserObj, aclUndefinedID)].perm&perm == perm
	}
	mask := uint16(7)
	if i := a.find(aclMask, aclUndefinedID); i >= 0 {
		mask = a[i].perm
	}
	if i := a.find(aclUser, uid); i >= 0 {
		return a[i].perm&mask&perm == perm
	}
	inGroup := func(g uint32) bool {
		for _, ug := range u.groups {
			if uint32(ug) == g {
				return true
			}
		}
		return false
	}
	matched := false
	for _, e := range a {
		if (e.tag == aclGroupObj && inGroup(ownerGID)) || (e.tag == aclGroup && inGroup(e.id)) {
			matched = true
			if e.perm&mask&perm == perm {
				return true
			}
		}
	}
	if matched {
		return false
	}
	return a[a.find(aclOther, aclUndefinedID)].perm&perm == perm
}
