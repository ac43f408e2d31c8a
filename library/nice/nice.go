// Package nice lowers the CPU priority of background work, thread by thread (on
// Linux the nice value belongs to a thread, not to the process), so that an
// interactive thread such as a window's drawing wins the CPU when they compete.
package nice

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Thread makes the calling goroutine's thread run n nice steps below its current
// priority and keeps the goroutine on it. The thread is never handed back to the
// runtime (an unprivileged process could not raise it again), so the goroutine
// must end while still locked, which ends the thread. Errors are ignored: priority
// is a courtesy, not a requirement. n ≤ 0 does nothing.
func Thread(n int) {
	if n <= 0 {
		return
	}
	runtime.LockOSThread()
	tid := unix.Gettid()
	cur, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	// The raw syscall answers 20 - nice.
	_ = unix.Setpriority(unix.PRIO_PROCESS, tid, min(20-cur+n, 19))
}

// Of returns the nice value of the calling thread.
func Of() (int, error) {
	p, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	return 20 - p, err
}
