//go:build unix

package inventory

import "syscall"

// writable asks the kernel (access(2), W_OK) whether this process may write
// path. For root it still catches read-only mounts.
func writable(path string) bool {
	return syscall.Access(path, 0x2 /* W_OK */) == nil
}
