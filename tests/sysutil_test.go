package tests

import (
	"os"
	"syscall"
)

// statUID is the owner of a file, or MaxUint32 when it cannot tell.
func statUID(st os.FileInfo) uint32 {
	if st == nil {
		return ^uint32(0)
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Uid
	}
	return ^uint32(0)
}
