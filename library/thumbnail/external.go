package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// tools are the external thumbnailers found on PATH when the service starts.
type tools struct {
	ffmpegthumbnailer string
	ffmpeg            string
	pdftoppm          string
}

func findTools() tools {
	look := func(name string) string {
		p, err := exec.LookPath(name)
		if err != nil {
			return ""
		}
		return p
	}
	return tools{
		ffmpegthumbnailer: look("ffmpegthumbnailer"),
		ffmpeg:            look("ffmpeg"),
		pdftoppm:          look("pdftoppm"),
	}
}

// run runs a helper in its own process group under a timeout; on timeout or
// cancellation the whole group is killed, so a decoder that hangs on a
// hostile file (or a child it started) cannot outlive the request.
func run(ctx context.Context, timeout time.Duration, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4 << 10}
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s killed after %s: %w", filepath.Base(name), timeout, ErrTimeout)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return fmt.Errorf("%s: %w: %s", filepath.Base(name), err, msg)
	}
	return nil
}

// limitedBuffer keeps the first max bytes a helper writes to stderr.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// helperOutput runs a helper that writes a PNG into a fresh temporary folder
// and decodes that PNG to size.
func (g *generator) helperOutput(ctx context.Context, size Size, invoke func(dir string) (string, error)) (*image.NRGBA, error) {
	dir, err := os.MkdirTemp("", "hoard-thumb-")
	if err != nil {
		return nil, fmt.Errorf("temp folder: %w", err)
	}
	defer os.RemoveAll(dir)
	out, err := invoke(dir)
	if err != nil {
		return nil, err
	}
	data, err := readThumb(out)
	if err != nil {
		return nil, fmt.Errorf("helper output: %w", err)
	}
	return g.decodeBytes(ctx, data, size)
}

// videoThumb makes a thumbnail of a video with ffmpegthumbnailer, or ffmpeg
// when only that is installed.
func (g *generator) videoThumb(ctx context.Context, path string, size Size) (*image.NRGBA, error) {
	s := strconv.Itoa(int(size))
	switch {
	case g.tools.ffmpegthumbnailer != "":
		return g.helperOutput(ctx, size, func(dir string) (string, error) {
			out := filepath.Join(dir, "t.png")
			return out, run(ctx, g.timeout, g.tools.ffmpegthumbnailer,
				"-i", path, "-o", out, "-s", s, "-c", "png", "-t", "10%")
		})
	case g.tools.ffmpeg != "":
		return g.helperOutput(ctx, size, func(dir string) (string, error) {
			out := filepath.Join(dir, "t.png")
			scale := fmt.Sprintf("thumbnail=30,scale='min(%s,iw)':'min(%s,ih)':force_original_aspect_ratio=decrease", s, s)
			return out, run(ctx, g.timeout, g.tools.ffmpeg, "-nostdin", "-v", "error",
				"-i", "file:"+path, "-an", "-sn", "-dn", "-vf", scale, "-frames:v", "1",
				"-f", "image2", "-c:v", "png", out)
		})
	}
	return nil, fmt.Errorf("video: neither ffmpegthumbnailer nor ffmpeg is installed: %w", ErrNotInstalled)
}

// pdfThumb renders the first page of a PDF with pdftoppm.
func (g *generator) pdfThumb(ctx context.Context, path string, size Size) (*image.NRGBA, error) {
	if g.tools.pdftoppm == "" {
		return nil, fmt.Errorf("pdf: pdftoppm (poppler-utils) is not installed: %w", ErrNotInstalled)
	}
	return g.helperOutput(ctx, size, func(dir string) (string, error) {
		prefix := filepath.Join(dir, "t")
		return prefix + ".png", run(ctx, g.timeout, g.tools.pdftoppm,
			"-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", strconv.Itoa(int(size)), path, prefix)
	})
}
