package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// runAs describes the OS user server processes run as. A nil cred means the
// current user; as root it is the postgres user, because initdb and the
// server refuse to run as root.
type runAs struct {
	cred *syscall.Credential
}

func serverUser() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return runAs{}, fmt.Errorf("pgtest: running as root, so the server must run as the postgres OS user, but it does not exist: create it (useradd --system postgres) or run as a normal user: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return runAs{}, fmt.Errorf("pgtest: postgres OS user has uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return runAs{}, fmt.Errorf("pgtest: postgres OS user has gid %q: %w", u.Gid, err)
	}
	return runAs{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
}

// command builds a command that runs as the server user in dir.
func (r runAs) command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...) //nolint:noctx // servers must outlive any one context
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	attr := &syscall.SysProcAttr{Setpgid: true}
	if r.cred != nil {
		attr.Credential = r.cred
	}
	cmd.SysProcAttr = attr
	return cmd
}

// own gives path to the server user, so it can write there.
func (r runAs) own(path string) error {
	if r.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
		return fmt.Errorf("pgtest: chown %s to the postgres OS user: %w", path, err)
	}
	return nil
}

// ownLink is own for a path that may be a symbolic link, which it changes
// itself rather than following.
func (r runAs) ownLink(path string) error {
	if r.cred == nil {
		return nil
	}
	if err := os.Lchown(path, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
		return fmt.Errorf("pgtest: chown %s to the postgres OS user: %w", path, err)
	}
	return nil
}

// checkReachable returns an error when the server user cannot reach dir
// because a parent directory is closed to it (a checkout under /root,
// say), instead of letting initdb fail with a bare "permission denied".
func (r runAs) checkReachable(dir string) error {
	if r.cred == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgtest: %s: %w", p, err)
		}
		st, _ := info.Sys().(*syscall.Stat_t)
		ownedByServer := st != nil && st.Uid == r.cred.Uid
		if info.Mode().Perm()&0o001 == 0 && !ownedByServer {
			return fmt.Errorf("pgtest: the server runs as the postgres OS user, which cannot enter %s (mode %v): use a directory it can reach, or chmod o+x %s", p, info.Mode().Perm(), p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}
