package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// hungUp reports whether the reading end of stdout is gone. A pipe's writer
// sees POLLERR then; checking lets the helper stop even when no event comes.
func hungUp(f *os.File) bool {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLOUT}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}
