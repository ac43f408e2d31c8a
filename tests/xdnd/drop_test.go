package xdnd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// oddNames are file names a drop must carry byte for byte.
var oddNames = []string{
	"plain.txt",
	"with spaces.jpg",
	"new\nline.png",
	"carriage\rreturn",
	"not-utf8-\xff\xfe.bin",
	"percent%41sign.txt",
	"#hash?query&amp=1.txt",
	"été 日本.mp4",
	"back\\slash'quote\".txt",
}

// realFiles creates each name in a temporary directory and returns the paths.
func realFiles(t *testing.T, names ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatalf("create %q: %v", p, err)
		}
		paths = append(paths, p)
	}
	return paths
}

func fileURIs(paths []string) []string {
	uris := make([]string, len(paths))
	for i, p := range paths {
		uris[i] = FileURI(p)
	}
	return uris
}

func TestDropDelivers(t *testing.T) {
	display := startXvfb(t)
	longNames := make([]string, 3000)
	for i := range longNames {
		longNames[i] = fmt.Sprintf("%04d-%s.dat", i, strings.Repeat("long name ", 10))
	}

	tests := []struct {
		name   string
		target testTarget
		paths  []string
		types  []string
		// at returns Drop's window and point for the target; the point is
		// always (winX, winY) inside the aware window.
		at         func(tt *testTarget) (win uint32, x, y int)
		winX, winY int
		version    uint32 // the version XdndEnter must carry; 0 means 5
	}{
		{
			name:   "one file by window id",
			target: testTarget{X: 100, Y: 50, Width: 300, Height: 200},
			paths:  []string{"/tmp/photo.jpg"},
			at:     func(tt *testTarget) (uint32, int, int) { return uint32(tt.Win), 10, 20 },
			winX:   10, winY: 20,
		},
		{
			name:   "odd names",
			target: testTarget{X: 0, Y: 0, Width: 300, Height: 200},
			paths:  realFiles(t, oddNames...),
			at:     func(tt *testTarget) (uint32, int, int) { return uint32(tt.Win), 150, 100 },
			winX:   150, winY: 100,
		},
		{
			name:   "window under a root point",
			target: testTarget{X: 200, Y: 300, Width: 100, Height: 100},
			paths:  []string{"/srv/a", "/srv/b"},
			at:     func(*testTarget) (uint32, int, int) { return 0, 250, 310 },
			winX:   50, winY: 10,
		},
		{
			name:   "client inside a frame, by frame id",
			target: testTarget{X: 40, Y: 40, Width: 200, Height: 150, Frame: true},
			paths:  []string{"/home/u/file"},
			at:     func(tt *testTarget) (uint32, int, int) { return uint32(tt.Outer), 5 + 7, 25 + 9 },
			winX:   7, winY: 9,
		},
		{
			name:   "client inside a frame, by root point",
			target: testTarget{X: 40, Y: 40, Width: 200, Height: 150, Frame: true},
			paths:  []string{"/home/u/file"},
			at:     func(*testTarget) (uint32, int, int) { return 0, 40 + 5 + 1, 40 + 25 + 2 },
			winX:   1, winY: 2,
		},
		{
			name:   "more than three types go in XdndTypeList",
			target: testTarget{X: 10, Y: 10, Width: 50, Height: 50},
			paths:  []string{"/x"},
			types:  []string{"text/plain", "UTF8_STRING", "STRING", "text/uri-list"},
			at:     func(tt *testTarget) (uint32, int, int) { return uint32(tt.Win), 1, 1 },
			winX:   1, winY: 1,
		},
		{
			name:   "list larger than one X request",
			target: testTarget{X: 10, Y: 10, Width: 50, Height: 50},
			paths:  fileURIPaths("/data/", longNames),
			at:     func(tt *testTarget) (uint32, int, int) { return uint32(tt.Win), 1, 1 },
			winX:   1, winY: 1,
		},
		{
			name:   "version 1 target, which never sends XdndFinished",
			target: testTarget{X: 10, Y: 10, Width: 50, Height: 50, AwareVersion: 1},
			paths:  []string{"/old/target"},
			at:     func(tt *testTarget) (uint32, int, int) { return uint32(tt.Win), 1, 1 },
			winX:   1, winY: 1,
			version: 1,
		},
		{
			name: "GLFW's finished flag is the byte count",
			target: testTarget{X: 10, Y: 10, Width: 50, Height: 50,
				FinishFlag: func(n int) uint32 { return uint32(n) }},
			paths: []string{"/even/len"}, // "file:///even/len\r\n" is 18 bytes: bit 0 clear
			at:    func(tt *testTarget) (uint32, int, int) { return uint32(tt.Win), 1, 1 },
			winX:  1, winY: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tt := tc.target
			tt.start(t, display)
			types := tc.types
			if types == nil {
				types = []string{"text/uri-list"}
			}
			win, x, y := tc.at(&tt)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := drop(ctx, display, win, x, y, fileURIs(tc.paths), types); err != nil {
				t.Fatalf("Drop: %v", err)
			}
			got := tt.wait(t)
			wantVersion := cmp.Or(tc.version, version)
			if got.Left || got.SentFinished != (wantVersion >= 2) {
				t.Errorf("target saw leave=%v finished=%v, want a finished drop", got.Left, got.SentFinished)
			}
			if got.Version != wantVersion {
				t.Errorf("XdndEnter version %d, want %d", got.Version, wantVersion)
			}
			if !slices.Equal(got.Types, types) {
				t.Errorf("offered types %q, want %q", got.Types, types)
			}
			if got.WinX != tc.winX || got.WinY != tc.winY {
				t.Errorf("drop point in the window (%d,%d), want (%d,%d)", got.WinX, got.WinY, tc.winX, tc.winY)
			}
			if got.DropTime == 0 {
				t.Error("XdndDrop carried CurrentTime, want a server timestamp")
			}
			if got.PropertyType != "text/uri-list" {
				t.Errorf("data property type %q, want text/uri-list", got.PropertyType)
			}
			if !strings.HasSuffix(string(got.Data), "\r\n") {
				t.Errorf("uri-list %.60q... does not end in CRLF", got.Data)
			}
			paths := glfwPaths(got.Data)
			if len(paths) != len(tc.paths) {
				t.Errorf("GLFW would see %d paths, want %d", len(paths), len(tc.paths))
			}
			for i := range min(len(paths), len(tc.paths)) {
				if paths[i] != tc.paths[i] {
					t.Errorf("GLFW would see path %d as %q, want %q", i, paths[i], tc.paths[i])
				}
			}
		})
	}
}

// fileURIPaths returns dir+name for each name.
func fileURIPaths(dir string, names []string) []string {
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = dir + n
	}
	return paths
}

func TestDropFails(t *testing.T) {
	display := startXvfb(t)
	tests := []struct {
		name    string
		target  testTarget
		uris    []string
		window  func(tt *testTarget) uint32
		timeout time.Duration
		wantIs  error
		wantMsg string
		// wantLeave is whether the target must see XdndLeave.
		wantLeave bool
	}{
		{
			name:    "window is not XdndAware",
			target:  testTarget{X: 0, Y: 0, Width: 100, Height: 100, NotAware: true},
			wantIs:  ErrNoTarget,
			wantMsg: "has no XdndAware window under it",
		},
		{
			name:      "target refuses",
			target:    testTarget{X: 0, Y: 0, Width: 100, Height: 100, Refuse: true},
			wantIs:    ErrRejected,
			wantMsg:   "answered XdndStatus without accepting",
			wantLeave: true,
		},
		{
			name:      "target never answers",
			target:    testTarget{X: 0, Y: 0, Width: 100, Height: 100, Silent: true},
			timeout:   time.Second,
			wantIs:    context.DeadlineExceeded,
			wantMsg:   "never answered XdndStatus (is the window XdndAware",
			wantLeave: true,
		},
		{
			name:      "target never finishes",
			target:    testTarget{X: 0, Y: 0, Width: 100, Height: 100, NoFinish: true},
			timeout:   time.Second,
			wantIs:    context.DeadlineExceeded,
			wantMsg:   "never sent XdndFinished after XdndDrop (it did fetch the data)",
			wantLeave: false, // the test target reports when it read the data
		},
		{
			name: "target finishes without success",
			target: testTarget{X: 0, Y: 0, Width: 100, Height: 100,
				FinishFlag: func(int) uint32 { return 0 }},
			wantIs:    ErrRejected,
			wantMsg:   "finished without taking the drop",
			wantLeave: false, // it sent XdndFinished, so it is done
		},
		{
			name:    "no such window",
			target:  testTarget{X: 0, Y: 0, Width: 100, Height: 100},
			window:  func(*testTarget) uint32 { return 0x7ffffff },
			wantMsg: "does the window exist?",
		},
		{
			name:    "URI with a line break",
			target:  testTarget{X: 0, Y: 0, Width: 100, Height: 100},
			uris:    []string{"file:///a\nb"},
			wantMsg: "holds a line break",
		},
		{
			name:    "nothing to drop",
			target:  testTarget{X: 0, Y: 0, Width: 100, Height: 100},
			uris:    []string{},
			wantMsg: "no URIs to drop",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tt := tc.target
			tt.start(t, display)
			uris := tc.uris
			if uris == nil {
				uris = []string{FileURI("/tmp/x")}
			}
			win := uint32(tt.Win)
			if tc.window != nil {
				win = tc.window(&tt)
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 30 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := Drop(ctx, display, win, 50, 50, uris)
			if err == nil {
				t.Fatal("Drop succeeded, want an error")
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not say %q", err, tc.wantMsg)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %q is not %v", err, tc.wantIs)
			}
			if tc.wantLeave {
				if got := tt.wait(t); !got.Left {
					t.Errorf("target did not see XdndLeave after the failure: %+v", got)
				}
			}
		})
	}
}

// TestDropFollowsXdndProxy checks that the messages go to the window named
// in the target's XdndProxy, still naming the target itself.
func TestDropFollowsXdndProxy(t *testing.T) {
	display := startXvfb(t)
	tt := testTarget{X: 0, Y: 0, Width: 100, Height: 100, Proxy: &proxyWindow{}}
	tt.start(t, display)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	// The proxy never answers, so the drag times out; only where the
	// XdndEnter went matters here.
	err := Drop(ctx, display, uint32(tt.Win), 10, 10, []string{FileURI("/p")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Drop through a silent proxy: %v, want a deadline", err)
	}
	select {
	case m := <-tt.Proxy.received:
		if m.Window != tt.Win {
			t.Errorf("the proxy's message names window 0x%x, want the target 0x%x", m.Window, tt.Win)
		}
	default:
		t.Fatal("the proxy window received no XDND message")
	}
	select {
	case r := <-tt.result:
		t.Errorf("the target itself heard the drag: %+v", r)
	default:
	}
}
