package probe

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkRenameOverhead measures what the probe adds to one rename on
// tmpfs: compare the ns/op of "bare" and "probed".
func BenchmarkRenameOverhead(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root to mount tmpfs and load the probe")
	}
	dir := b.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
	if err := os.WriteFile(x, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	loop := func(b *testing.B) {
		for b.Loop() {
			if err := unix.Rename(x, y); err != nil {
				b.Fatal(err)
			}
			x, y = y, x
		}
	}
	b.Run("bare", loop)
	b.Run("probed", func(b *testing.B) {
		p := load(b)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- p.Run(ctx, func(Event) error { return nil }, func(uint64) error { return nil })
		}()
		loop(b)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	})
}
