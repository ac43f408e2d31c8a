package tracker_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"hoard/tracker"
)

// How hoard watch and the GUI use the Client: start it on the library's
// roots, apply events until the channel closes, then ask why.
func ExampleStart() {
	ctx := context.Background()
	cl, err := tracker.Start(ctx, []string{"/home/u/Pictures"}, tracker.Options{Stderr: os.Stderr})
	switch {
	case errors.Is(err, tracker.ErrDismissed), errors.Is(err, tracker.ErrNotAuthorized):
		fmt.Println("not tracking: join the hoard group, or start it again and authenticate")
		return
	case errors.Is(err, tracker.ErrNotInstalled), errors.Is(err, tracker.ErrBPFRefused):
		fmt.Println("not tracking:", err)
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	defer cl.Stop()
	for ev := range cl.Events() {
		switch ev.Type {
		case tracker.TypeRename:
			fmt.Printf("%q -> %q (dir %v, exchange %v)\n", ev.Old, ev.New, ev.Dir, ev.Exchange)
		case tracker.TypeUnlink:
			fmt.Printf("gone: %q\n", ev.Path)
		case tracker.TypeLost:
			fmt.Printf("%d events lost: reconcile\n", ev.Count)
		}
	}
	if err := cl.Err(); err != nil {
		fmt.Println("tracker stopped:", err)
	}
}
