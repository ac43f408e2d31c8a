package main

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// helperNice is the helper's nice value. The kernel keeps events in a ring buffer
// of fixed size until the helper reads them; on a machine whose CPUs are all busy
// (a build, a game) a helper at normal priority gets too little time to drain it,
// and the overflow is lost events and a full reconcile. Its work per event is a few
// microseconds, so running ahead of ordinary processes costs them nothing.
const helperNice = -10

// raisePriority gives every thread of the process helperNice (on Linux the nice
// value is per thread; threads started later inherit it). It needs root, so it runs
// before the privileges are dropped; failure only costs headroom, so it is logged
// by the caller and otherwise ignored.
func raisePriority() error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	var first error
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, helperNice); err != nil && first == nil {
			first = err
		}
	}
	return first
}
