//go:build !linux

package redistest

import "syscall"

// procAttr has nothing to add where the kernel offers no parent-death
// signal; Close (from t.Cleanup) stops the server.
func procAttr() *syscall.SysProcAttr { return nil }
