package thumbnail

import (
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"github.com/h2non/filetype"
)

// detectMIME returns the type of the file at path from its first bytes, or
// from its extension when the content says nothing (empty or unknown files).
func detectMIME(path string) string {
	if f, err := os.Open(path); err == nil {
		head := make([]byte, 512)
		n, _ := io.ReadFull(f, head)
		f.Close()
		if t, err := filetype.Match(head[:n]); err == nil && t != filetype.Unknown {
			return t.MIME.Value
		}
		if n > 0 && isPDF(head[:n]) {
			return "application/pdf"
		}
	}
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path))); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return strings.TrimSpace(t)
	}
	return "application/octet-stream"
}

func isPDF(head []byte) bool {
	return strings.HasPrefix(string(head), "%PDF-")
}
