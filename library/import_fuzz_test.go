package library

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// fuzzImport feeds mutated copies of a valid foreign database to an importer: it may
// fail, it must not panic or hang.
func fuzzImport(f *testing.F, seed []byte, run func(l *Library, path string) error) {
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	for _, off := range []int{20, 100, 1000, 2000, 4096 + 8, len(seed) - 100} {
		if off >= 0 && off < len(seed) {
			m := append([]byte(nil), seed...)
			m[off] ^= 0xff
			f.Add(m)
		}
	}
	dir := f.TempDir()
	l, err := Open(context.Background(), filepath.Join(dir, "library.db"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { l.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "foreign.db")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_ = run(l, p)
	})
}

func FuzzImportAwtfdb(f *testing.F) {
	_, dbPath := awtfdbFixture(f)
	seed, err := os.ReadFile(dbPath)
	if err != nil {
		f.Fatal(err)
	}
	fuzzImport(f, seed, func(l *Library, p string) error {
		_, err := l.ImportAwtfdb(context.Background(), p, nil)
		return err
	})
}

func FuzzImportTMSU(f *testing.F) {
	_, dbPath := tmsuFixture(f)
	seed, err := os.ReadFile(dbPath)
	if err != nil {
		f.Fatal(err)
	}
	fuzzImport(f, seed, func(l *Library, p string) error {
		_, err := l.ImportTMSU(context.Background(), p, nil)
		return err
	})
}
