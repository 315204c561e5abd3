//go:build unix

package migratecmd

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// osUser is the OS user the throwaway server runs as: nil cred for the
// current user, the postgres user when running as root.
type osUser struct{ cred *syscall.Credential }

func serverOSUser() (osUser, error) {
	if os.Geteuid() != 0 {
		return osUser{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return osUser{}, fmt.Errorf("running as root, the scratch server must run as the postgres OS user, which does not exist: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return osUser{}, fmt.Errorf("the postgres OS user has uid %q, gid %q", u.Uid, u.Gid)
	}
	return osUser{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
}

func (o osUser) apply(cmd *exec.Cmd) {
	if o.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: o.cred}
	}
}

func (o osUser) own(path string) error {
	if o.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(o.cred.Uid), int(o.cred.Gid)); err != nil {
		return fmt.Errorf("chown %s to the postgres OS user: %w", path, err)
	}
	return nil
}
