// Command hoard-gui is Hoard's desktop window: browse, search and tag the files of a
// library in a thumbnail grid. All of it lives in package gui.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"hoard/gui"
	"hoard/library"
)

func main() {
	db := flag.String("db", library.DefaultPath(), "library `file` (or set HOARD_DB)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := gui.Run(ctx, *db); err != nil {
		fmt.Fprintln(os.Stderr, "hoard-gui:", err)
		os.Exit(1)
	}
}
