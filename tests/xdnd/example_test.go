package xdnd_test

import (
	"context"
	"log"
	"time"

	"hoard/tests/xdnd"
)

// An end-to-end test drops two photos onto the running app's window, 120
// pixels right and 200 down from its top-left corner, as a user dragging
// them from a file manager would.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	display := ":99" // the Xvfb the app runs on

	win, err := xdnd.FindWindow(ctx, display, "Hoard") // waits for the window to map
	if err != nil {
		log.Fatal(err)
	}
	uris := []string{
		xdnd.FileURI("/tmp/photos/beach 1.jpg"),
		xdnd.FileURI("/tmp/photos/été.png"),
	}
	if err := xdnd.Drop(ctx, display, win, 120, 200, uris); err != nil {
		log.Fatal(err)
	}
}
