package tests

import (
	"os"
	"testing"

	"lukechampine.com/blake3"
)

// blake3Of is the BLAKE3-256 of a file, as the index stores it.
func blake3Of(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := blake3.Sum256(b)
	return sum[:]
}
