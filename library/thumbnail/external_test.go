package thumbnail

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt package %s)", name, pkg)
	}
	return p
}

// testVideo makes a 2-second 320×240 video with ffmpeg's test pattern.
func testVideo(t *testing.T, dir string) string {
	t.Helper()
	needTool(t, "ffmpeg", "ffmpeg")
	out := filepath.Join(dir, "clip.mp4")
	cmd := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
		"-pix_fmt", "yuv420p", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	return out
}

func TestVideo(t *testing.T) {
	video := testVideo(t, t.TempDir())
	for _, tool := range []string{"ffmpegthumbnailer", "ffmpeg"} {
		t.Run(tool, func(t *testing.T) {
			s := newTestService(t, Options{})
			switch tool {
			case "ffmpegthumbnailer":
				needTool(t, tool, "ffmpegthumbnailer")
			case "ffmpeg":
				s.gen.tools.ffmpegthumbnailer = "" // as when only ffmpeg is installed
			}
			res, err := s.Generate(context.Background(), video, Normal)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != KindThumbnail || !strings.HasPrefix(res.MIME, "video/") {
				t.Fatalf("got %v (%s): %s", res.Kind, res.MIME, res.Reason)
			}
			if b := res.Image.Bounds(); b.Dx() != 128 || b.Dy() != 96 {
				t.Errorf("thumbnail %v, want 128×96", b)
			}
		})
	}
}

// minimalPDF returns a one-page PDF with a filled rectangle, with a correct
// cross-reference table.
func minimalPDF() []byte {
	content := "0 0 1 rg 20 20 160 100 re f"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 140] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestPDF(t *testing.T) {
	needTool(t, "pdftoppm", "poppler-utils")
	path := writeFile(t, t.TempDir(), "doc.pdf", minimalPDF())
	s := newTestService(t, Options{})
	res, err := s.Generate(context.Background(), path, Normal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindThumbnail || res.MIME != "application/pdf" {
		t.Fatalf("got %v (%s): %s", res.Kind, res.MIME, res.Reason)
	}
	if b := res.Image.Bounds(); b.Dx() != 128 || b.Dy() < 85 || b.Dy() > 95 {
		t.Errorf("thumbnail %v, want about 128×90", b)
	}
	if c := res.Image.At(64, 45); !isBlue(c) {
		t.Errorf("page centre %v, want the blue rectangle", c)
	}
}

// id3WithCover returns an MP3-like file: an ID3v2.3 tag with an APIC frame
// holding png, then a few silent MPEG frames' worth of bytes.
func id3WithCover(cover []byte) []byte {
	var frame bytes.Buffer
	frame.WriteByte(0) // ISO-8859-1
	frame.WriteString("image/png\x00")
	frame.WriteByte(3) // front cover
	frame.WriteString("cover\x00")
	frame.Write(cover)
	var tag bytes.Buffer
	tag.WriteString("APIC")
	binary.Write(&tag, binary.BigEndian, uint32(frame.Len()))
	tag.Write([]byte{0, 0})
	tag.Write(frame.Bytes())
	n := tag.Len()
	var out bytes.Buffer
	out.WriteString("ID3\x03\x00\x00")
	out.Write([]byte{byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)})
	out.Write(tag.Bytes())
	for range 20 {
		out.Write([]byte{0xff, 0xfb, 0x90, 0x64})
		out.Write(make([]byte, 413))
	}
	return out.Bytes()
}

func TestAudioCoverArt(t *testing.T) {
	cover := encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, halves(300, 300)) })
	dir := t.TempDir()
	s := newTestService(t, Options{})

	res, err := s.Generate(context.Background(), writeFile(t, dir, "song.mp3", id3WithCover(cover)), Normal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindThumbnail || !strings.HasPrefix(res.MIME, "audio/") {
		t.Fatalf("got %v (%s): %s", res.Kind, res.MIME, res.Reason)
	}
	if b := res.Image.Bounds(); b.Dx() != 128 || b.Dy() != 128 || !isRed(res.Image.At(3, 64)) {
		t.Errorf("thumbnail %v is not the cover", b)
	}

	bare := id3WithCover(nil)
	res, err = s.Generate(context.Background(), writeFile(t, dir, "bare.mp3", bare[:10]), Normal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindIcon || !strings.HasPrefix(res.MIME, "audio/") {
		t.Errorf("audio without cover art: got %v (%s), want an audio icon", res.Kind, res.MIME)
	}
}

func TestToolsNotInstalled(t *testing.T) {
	dir := t.TempDir()
	s := newTestService(t, Options{})
	s.gen.tools = tools{}
	for _, f := range []struct{ name, mime string }{{"clip.mp4", "video/mp4"}, {"doc.pdf", "application/pdf"}} {
		data := minimalPDF()
		if f.mime == "video/mp4" {
			data = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
		}
		res, err := s.Generate(context.Background(), writeFile(t, dir, f.name, data), Normal)
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != KindIcon || res.MIME != f.mime || !errors.Is(res.Err, ErrNotInstalled) {
			t.Errorf("%s: got %v %q %v, want an icon and ErrNotInstalled", f.name, res.Kind, res.MIME, res.Err)
		}
		if _, err := os.Stat(s.cache.failPath(FileURI(filepath.Join(dir, f.name)))); err == nil {
			t.Errorf("%s: a missing tool was recorded as a failure", f.name)
		}
	}
}

// TestHangingThumbnailerIsKilled stands a script that never finishes (and
// starts a child that would outlive it) in for ffmpegthumbnailer.
func TestHangingThumbnailerIsKilled(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	script := writeFile(t, dir, "hang.sh", []byte("#!/bin/sh\nsleep 600 &\necho $! > "+pidFile+"\nwait\n"))
	os.Chmod(script, 0o755)
	video := writeFile(t, dir, "hang.mp4", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"))

	s := newTestService(t, Options{Timeout: 500 * time.Millisecond})
	s.gen.tools = tools{ffmpegthumbnailer: script}
	start := time.Now()
	res, err := s.Generate(context.Background(), video, Normal)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("took %v despite a 500ms timeout", elapsed)
	}
	if res.Kind != KindFailed || !errors.Is(res.Err, ErrTimeout) {
		t.Fatalf("got %v %v, want a timeout failure", res.Kind, res.Err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(2 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the helper's child %d survived the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie waiting for its reaper is dead).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// TestConcurrentRequestsShareOneRun checks that requests for a thumbnail
// being made wait for it instead of running the thumbnailer again.
func TestConcurrentRequestsShareOneRun(t *testing.T) {
	dir := t.TempDir()
	countFile := filepath.Join(dir, "runs")
	cover := writeFile(t, dir, "frame.png", encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, halves(64, 48)) }))
	// Called as: -i IN -o OUT ...; counts its runs and is slow enough to overlap.
	script := writeFile(t, dir, "thumbnailer.sh", []byte("#!/bin/sh\necho run >> "+countFile+"\nsleep 0.3\ncp "+cover+" \"$4\"\n"))
	os.Chmod(script, 0o755)
	video := writeFile(t, dir, "v.mp4", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"))

	s := newTestService(t, Options{})
	s.gen.tools = tools{ffmpegthumbnailer: script}
	var wg sync.WaitGroup
	results := make([]Result, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Generate(context.Background(), video, Normal)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Kind != KindThumbnail {
			t.Errorf("request %d: %v %s", i, r.Kind, r.Reason)
		}
	}
	runs, _ := os.ReadFile(countFile)
	if n := strings.Count(string(runs), "run"); n != 1 {
		t.Errorf("thumbnailer ran %d times for 4 concurrent requests, want 1", n)
	}
}
