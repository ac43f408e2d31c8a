package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // register decoders for DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/h2non/filetype"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
	"golang.org/x/sys/unix"
	"lukechampine.com/blake3"
)

// File is one entry of the library.
type File struct {
	ID       int64
	Path     string // absolute; any bytes but NUL
	Dev      uint64
	Inode    uint64
	Btime    int64 // statx birth time in ns; 0 when the filesystem gives none
	Size     int64
	MtimeNS  int64
	Hash     []byte // BLAKE3-256
	MIME     string
	Width    int // 0 when unknown
	Height   int
	Duration time.Duration
	Added    time.Time
	Missing  bool
	TagCount int
}

// Name is the file's base name.
func (f File) Name() string { return filepath.Base(f.Path) }

// Facts are what Hoard learns about a file on disk.
type Facts struct {
	Dev, Inode uint64
	Btime      int64
	Size       int64
	MtimeNS    int64
	Hash       []byte
	MIME       string
	Width      int
	Height     int
}

// statFacts reads the stat part of Facts (no content) with statx, not following a
// final symlink.
func statFacts(path string) (Facts, os.FileMode, error) {
	var sx unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW,
		unix.STATX_TYPE|unix.STATX_MODE|unix.STATX_INO|unix.STATX_SIZE|unix.STATX_MTIME|unix.STATX_BTIME, &sx)
	if err != nil {
		return Facts{}, 0, &os.PathError{Op: "statx", Path: path, Err: err}
	}
	f := Facts{
		Dev:     unix.Mkdev(sx.Dev_major, sx.Dev_minor),
		Inode:   sx.Ino,
		Size:    int64(sx.Size),
		MtimeNS: sx.Mtime.Sec*1e9 + int64(sx.Mtime.Nsec),
	}
	if sx.Mask&unix.STATX_BTIME != 0 {
		f.Btime = sx.Btime.Sec*1e9 + int64(sx.Btime.Nsec)
	}
	return f, statxMode(sx.Mode), nil
}

func statxMode(m uint16) os.FileMode {
	mode := os.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= os.ModeDir
	case unix.S_IFLNK:
		mode |= os.ModeSymlink
	case unix.S_IFIFO:
		mode |= os.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= os.ModeSocket
	case unix.S_IFCHR:
		mode |= os.ModeDevice | os.ModeCharDevice
	case unix.S_IFBLK:
		mode |= os.ModeDevice
	}
	return mode
}

// ErrNotRegular is returned for FIFOs, sockets, devices and the like, which Hoard never
// opens (opening a FIFO would block).
var ErrNotRegular = errors.New("not a regular file")

const smallFile = 64 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// ReadFacts stats, hashes and sniffs the regular file at path. It opens with O_NOFOLLOW
// and O_NONBLOCK and re-checks the opened file, so a FIFO swapped in never blocks it.
// It works on the raw descriptor (no os.File): on small files the poller registration
// and extra syscalls of os.File cost as much as the hashing.
func ReadFacts(ctx context.Context, path string) (Facts, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) { // O_NOATIME needs ownership
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return Facts{}, fmt.Errorf("%s: %w (a symlink)", path, ErrNotRegular)
		}
		return Facts{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	var sx unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH,
		unix.STATX_TYPE|unix.STATX_INO|unix.STATX_SIZE|unix.STATX_MTIME|unix.STATX_BTIME, &sx); err != nil {
		return Facts{}, &os.PathError{Op: "statx", Path: path, Err: err}
	}
	if sx.Mode&unix.S_IFMT != unix.S_IFREG {
		return Facts{}, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	facts := Facts{
		Dev:     unix.Mkdev(sx.Dev_major, sx.Dev_minor),
		Inode:   sx.Ino,
		Size:    int64(sx.Size),
		MtimeNS: sx.Mtime.Sec*1e9 + int64(sx.Mtime.Nsec),
	}
	if sx.Mask&unix.STATX_BTIME != 0 {
		facts.Btime = sx.Btime.Sec*1e9 + int64(sx.Btime.Nsec)
	}
	h := blake3.New(32, nil)
	var head []byte
	var total int64
	if facts.Size >= bigFile {
		head, total, err = hashOverlapped(ctx, fd, h)
	} else {
		head, total, err = hashSerial(ctx, fd, h, facts.Size)
	}
	if err != nil {
		return Facts{}, fmt.Errorf("read %s: %w", path, err)
	}
	facts.Size = total
	facts.Hash = h.Sum(nil)
	facts.MIME = DetectMIME(path, head)
	if strings.HasPrefix(facts.MIME, "image/") {
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(head)); err == nil {
			facts.Width, facts.Height = cfg.Width, cfg.Height
		} else if cfg, ok := decodeConfigFD(fd); ok {
			facts.Width, facts.Height = cfg.Width, cfg.Height
		}
	}
	return facts, nil
}

// bigFile is the size from which reading and hashing overlap.
const bigFile = 8 << 20

// hashSerial reads and hashes a small file in turns; it returns the first bytes (for
// type sniffing) and the length read.
func hashSerial(ctx context.Context, fd int, h *blake3.Hasher, size int64) ([]byte, int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var head []byte
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		if n <= 0 {
			return head, total, nil
		}
		if head == nil {
			head = append([]byte(nil), buf[:min(n, 8192)]...)
		}
		hashWrite(h, buf[:n])
		total += int64(n)
		// A small file read whole in one call needs no second read to see EOF.
		if n < len(buf) && total == size {
			return head, total, nil
		}
	}
}

// bigBufPool holds the read buffers of big files: 4 MiB pieces let BLAKE3 spread a
// piece over both cores.
var bigBufPool = sync.Pool{New: func() any { b := make([]byte, 4<<20); return &b }}

// hashOverlapped reads the next piece while the previous one is hashed, so a big file
// costs about max(read, hash) instead of their sum. (Hashing from an mmap would skip
// the copy, but BLAKE3 hashes on goroutines of its own, where a file truncated under
// the mapping would crash the process instead of failing the read.)
func hashOverlapped(ctx context.Context, fd int, h *blake3.Hasher) ([]byte, int64, error) {
	type piece struct {
		buf *[]byte
		n   int
		err error
	}
	full := make(chan piece, 1)
	free := make(chan *[]byte, 2)
	for range 2 {
		free <- bigBufPool.Get().(*[]byte)
	}
	stop := make(chan struct{})
	go func() {
		defer close(full)
		for {
			var bp *[]byte
			select {
			case bp = <-free:
			case <-stop:
				return
			}
			n, err := readFull(fd, *bp)
			select {
			case full <- piece{bp, n, err}:
			case <-stop:
				bigBufPool.Put(bp)
				return
			}
			if err != nil || n < len(*bp) {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for p := range full { // wait for the reader; return every buffer
			bigBufPool.Put(p.buf)
		}
		for len(free) > 0 {
			bigBufPool.Put(<-free)
		}
	}()
	var head []byte
	var total int64
	for p := range full {
		if p.err != nil {
			free <- p.buf
			return nil, 0, p.err
		}
		if err := ctx.Err(); err != nil {
			free <- p.buf
			return nil, 0, err
		}
		b := (*p.buf)[:p.n]
		if head == nil {
			head = append([]byte(nil), b[:min(len(b), 8192)]...)
		}
		h.Write(b)
		total += int64(p.n)
		free <- p.buf
		if p.n < len(*p.buf) {
			break
		}
	}
	return head, total, nil
}

// readFull reads until buf is full or the file ends.
func readFull(fd int, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// decodeConfigFD retries DecodeConfig on up to 4 MiB of the file, for formats (JPEG
// with a big EXIF block) whose size is not in the first 8 KiB.
func decodeConfigFD(fd int) (image.Config, bool) {
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(fdReaderAt(fd), 0, 4<<20))
	return cfg, err == nil
}

// fdReaderAt reads a raw descriptor with pread.
type fdReaderAt int

func (f fdReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := unix.Pread(int(f), p, off)
	if err != nil {
		return 0, err
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// hashWrite feeds BLAKE3 in 1 KiB pieces for small inputs: blake3.Hasher starts a
// goroutine per subtree for writes above one chunk, which costs more than it saves on
// small files; big buffers go in whole to use both cores.
func hashWrite(h *blake3.Hasher, p []byte) {
	if len(p) >= smallFile {
		h.Write(p)
		return
	}
	for len(p) > 0 {
		n := min(len(p), 1024)
		h.Write(p[:n])
		p = p[n:]
	}
}

// DetectMIME sniffs the content's first bytes with h2non/filetype, then falls back to the
// file name's extension, then to application/octet-stream.
func DetectMIME(path string, head []byte) string {
	if len(head) > 0 {
		if kind, err := filetype.Match(head); err == nil && kind != filetype.Unknown {
			return kind.MIME.Value
		}
	}
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if ext != "" {
		if t := filetype.GetType(ext); t != filetype.Unknown {
			return t.MIME.Value
		}
		if m, ok := extraMIME[ext]; ok {
			return m
		}
	}
	if len(head) > 0 && looksLikeText(head) {
		return "text/plain"
	}
	return "application/octet-stream"
}

var extraMIME = map[string]string{
	"txt": "text/plain", "md": "text/markdown", "csv": "text/csv", "html": "text/html",
	"htm": "text/html", "json": "application/json", "xml": "application/xml",
	"svg": "image/svg+xml", "go": "text/x-go", "c": "text/x-c", "py": "text/x-python",
	"js": "text/javascript", "css": "text/css", "tex": "text/x-tex", "epub": "application/epub+zip",
	"m4a": "audio/mp4", "opus": "audio/opus", "mkv": "video/x-matroska",
}

func looksLikeText(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return false
		}
	}
	return true
}

// MediaClass maps a MIME type to the query language's type: classes.
func MediaClass(mime string) string {
	switch {
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "video/"):
		return "video"
	case strings.HasPrefix(mime, "audio/"):
		return "audio"
	case strings.HasPrefix(mime, "text/"), mime == "application/pdf", mime == "application/epub+zip",
		strings.Contains(mime, "document"), strings.Contains(mime, "msword"),
		mime == "application/rtf", strings.Contains(mime, "opendocument"), mime == "application/postscript":
		return "document"
	}
	return "other"
}
