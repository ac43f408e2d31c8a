package xdnd

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFindWindow(t *testing.T) {
	display := startXvfb(t)
	tests := []struct {
		name   string
		target testTarget
		decoy  testTarget // another window, present from the start
	}{
		{
			name:   "top-level window",
			target: testTarget{X: 10, Y: 10, Width: 100, Height: 100, Title: "Hoard"},
			decoy:  testTarget{X: 300, Y: 10, Width: 100, Height: 100, Title: "Hoard 2"},
		},
		{
			name:   "client inside a frame",
			target: testTarget{X: 10, Y: 10, Width: 100, Height: 100, Title: "Hoard", Frame: true},
			decoy:  testTarget{X: 300, Y: 10, Width: 100, Height: 100, Title: "Hoar"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			decoy := tc.decoy
			decoy.start(t, display)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			type found struct {
				win uint32
				err error
			}
			result := make(chan found, 1)
			go func() {
				w, err := FindWindow(ctx, display, "Hoard")
				result <- found{w, err}
			}()
			time.Sleep(3 * pollInterval) // the window appears while FindWindow waits
			tt := tc.target
			tt.start(t, display)
			got := <-result
			if got.err != nil {
				t.Fatalf("FindWindow: %v", got.err)
			}
			if got.win != uint32(tt.Win) {
				t.Fatalf("FindWindow = 0x%x, want the titled window 0x%x (decoy 0x%x)", got.win, tt.Win, decoy.Win)
			}
			// The id is what Drop wants.
			if err := Drop(ctx, display, got.win, 5, 5, []string{FileURI("/found")}); err != nil {
				t.Fatalf("Drop onto the found window: %v", err)
			}
			if r := tt.wait(t); !slices.Equal(glfwPaths(r.Data), []string{"/found"}) {
				t.Errorf("target got %q, want /found", r.Data)
			}
		})
	}

	t.Run("no such window", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*pollInterval)
		defer cancel()
		_, err := FindWindow(ctx, display, "Nobody")
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `no mapped window titled "Nobody"`) {
			t.Errorf("FindWindow error %v, want a deadline naming the title", err)
		}
	})
}
