package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// watchdog is a small shell process that outlives the test binary: when
// the binary dies without calling Close (a panic, a test timeout, Ctrl-C,
// SIGKILL), it stops the servers and removes the cluster directory. It
// runs in its own session, so a terminal's Ctrl-C does not reach it.
type watchdog struct {
	cmd *exec.Cmd
}

// cleanupScript resumes the processes of a frozen server (FreezePrimary),
// stops every server of the directory with the signal that means
// "immediate shutdown" (SIGQUIT) and removes the directory. The
// script is written into the directory and run from memory by sh.
const cleanupScript = `#!/bin/sh
root="$1"
for f in "$root"/*.frozen; do
	[ -f "$f" ] && kill -CONT $(cat "$f") 2>/dev/null
done
for d in replica primary; do
	f="$root/$d/postmaster.pid"
	[ -f "$f" ] && kill -QUIT "$(head -n 1 "$f")" 2>/dev/null
done
[ -f "$root/pgbouncer.pid" ] && kill -KILL "$(cat "$root/pgbouncer.pid")" 2>/dev/null
i=0
while [ $i -lt 50 ] && { [ -f "$root/primary/postmaster.pid" ] || [ -f "$root/replica/postmaster.pid" ]; }; do
	sleep 0.2; i=$((i+1))
done
rm -rf "$root"
`

// watchLoop polls the test process; it ends when the process is gone (then
// cleans up) or when the directory is gone (Close already cleaned up).
const watchLoop = `trap '' INT TERM HUP
while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 0.5; done
[ -d "$2" ] && exec sh "$2/cleanup.sh" "$2"
exit 0`

func startWatchdog(root string) (*watchdog, error) {
	script := filepath.Join(root, "cleanup.sh")
	if err := os.WriteFile(script, []byte(cleanupScript), 0o700); err != nil {
		return nil, fmt.Errorf("pgtest: write cleanup script: %w", err)
	}
	cmd := exec.Command("/bin/sh", "-c", watchLoop, "watchdog", strconv.Itoa(os.Getpid()), root) //nolint:noctx // must outlive this process
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgtest: start cleanup watchdog: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return &watchdog{cmd: cmd}, nil
}

// stop ends the watchdog after a normal Close.
func (w *watchdog) stop() {
	_ = w.cmd.Process.Kill()
}
