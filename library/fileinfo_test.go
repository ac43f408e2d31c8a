package library

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"lukechampine.com/blake3"
)

// A big file hashed through the mapping gives the same hash as hashing its bytes.
func TestReadFactsBigFileHash(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.bin")
	data := bytes.Repeat([]byte("hoard tags files where they live "), (bigFile+12345)/33+1)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFacts(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := blake3.Sum256(data)
	if !bytes.Equal(f.Hash, want[:]) || f.Size != int64(len(data)) {
		t.Fatalf("hash %x size %d, want %x size %d", f.Hash, f.Size, want, len(data))
	}
}
