package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// FreezePrimary stops every process of the primary with SIGSTOP: the
// postmaster (its pid from postmaster.pid) and its children (found through
// /proc), by pid. The server keeps its connections open but answers
// nothing, like a machine that hangs; clients need deadlines. ThawPrimary
// resumes it; Close, StopPrimary and the watchdog thaw it before stopping
// it. Local clusters on Linux only; others return an error wrapping
// ErrUnsupported.
func (c *Cluster) FreezePrimary(ctx context.Context) error {
	lc, err := c.needLocal("FreezePrimary")
	if err != nil {
		return err
	}
	return lc.freeze(ctx, lc.primary)
}

// ThawPrimary resumes a primary frozen by FreezePrimary (SIGCONT). Thawing
// a server that is not frozen does nothing.
func (c *Cluster) ThawPrimary(ctx context.Context) error {
	lc, err := c.needLocal("ThawPrimary")
	if err != nil {
		return err
	}
	return lc.thaw(lc.primary)
}

// FreezeReplica is FreezePrimary for the replica. While it is frozen the
// primary keeps accepting writes (unless Options.SynchronousReplica makes
// commits wait for it) and WaitReplay blocks.
func (c *Cluster) FreezeReplica(ctx context.Context) error {
	lc, err := c.needReplica("FreezeReplica")
	if err != nil {
		return err
	}
	return lc.freeze(ctx, lc.replica)
}

// ThawReplica resumes a replica frozen by FreezeReplica.
func (c *Cluster) ThawReplica(ctx context.Context) error {
	lc, err := c.needReplica("ThawReplica")
	if err != nil {
		return err
	}
	return lc.thaw(lc.replica)
}

// freeze stops the postmaster first, so it forks no new child, then its
// children, looking again until no unfrozen child is left. The pids are
// recorded in <root>/<name>.frozen for the watchdog.
func (lc *localCluster) freeze(ctx context.Context, s *server) error {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return fmt.Errorf("pgtest: freeze %s needs /proc (Linux): %w", s.name, ErrUnsupported)
	}
	pid, err := postmasterPID(s)
	if err != nil {
		return err
	}
	frozen := map[int]bool{}
	for _, p := range s.frozen {
		frozen[p] = true
	}
	todo := []int{pid}
	for len(todo) > 0 {
		for _, p := range todo {
			if frozen[p] {
				continue
			}
			if err := syscall.Kill(p, syscall.SIGSTOP); err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("pgtest: freeze %s: SIGSTOP %d: %w", s.name, p, err)
			}
			frozen[p] = true
			s.frozen = append(s.frozen, p)
		}
		if err := lc.recordFrozen(s); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("pgtest: freeze %s: %w", s.name, err)
		}
		children, err := childPIDs(pid)
		if err != nil {
			return err
		}
		todo = todo[:0]
		for _, ch := range children {
			if !frozen[ch] {
				todo = append(todo, ch)
			}
		}
	}
	return nil
}

// thaw resumes the processes freeze stopped, the postmaster last, so its
// children are running when it looks at them again.
func (lc *localCluster) thaw(s *server) error {
	if len(s.frozen) == 0 {
		return nil
	}
	var errs []error
	for i := len(s.frozen) - 1; i >= 0; i-- {
		if err := syscall.Kill(s.frozen[i], syscall.SIGCONT); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("pgtest: thaw %s: SIGCONT %d: %w", s.name, s.frozen[i], err))
		}
	}
	s.frozen = nil
	if err := os.Remove(lc.frozenFile(s)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (lc *localCluster) frozenFile(s *server) string {
	return filepath.Join(lc.root, s.name+".frozen")
}

// recordFrozen writes the frozen pids where the watchdog's cleanup script
// finds them, so a test binary that dies leaves no stopped server behind.
func (lc *localCluster) recordFrozen(s *server) error {
	var b strings.Builder
	for _, p := range s.frozen {
		b.WriteString(strconv.Itoa(p) + "\n")
	}
	if err := os.WriteFile(lc.frozenFile(s), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("pgtest: record frozen pids: %w", err)
	}
	return nil
}

// postmasterPID reads the first line of s's postmaster.pid.
func postmasterPID(s *server) (int, error) {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("pgtest: %s is not running: %w", s.name, err)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	pid, err := strconv.Atoi(strings.TrimSpace(string(line)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pgtest: %s: bad postmaster.pid %q", s.name, line)
	}
	return pid, nil
}

// childPIDs lists the processes whose parent is ppid, from /proc/*/stat.
func childPIDs(ppid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("pgtest: list processes: %w", err)
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		if parent, ok := statPPID(stat); ok && parent == ppid {
			out = append(out, pid)
		}
	}
	return out, nil
}

// statPPID parses the parent pid from /proc/<pid>/stat: "pid (comm) state
// ppid ...", where comm may hold spaces and parentheses, so the fields are
// counted after the last ')'.
func statPPID(stat []byte) (int, bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return ppid, err == nil
}
