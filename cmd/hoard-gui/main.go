// Command hoard-gui is Hoard's desktop window: browse, search and tag the files of a
// library in a thumbnail grid. All of it lives in package gui.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"

	"hoard/gui"
	"hoard/library"
)

func main() {
	db := flag.String("db", library.DefaultPath(), "library `file` (or set HOARD_DB)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: hoard-gui [--db FILE] [FILE-OR-FOLDER|file://URI]…\n(files or folders given are offered for import)\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	var toImport []string
	for _, a := range flag.Args() {
		p, err := argPath(a)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hoard-gui:", err)
			os.Exit(2)
		}
		toImport = append(toImport, p)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// HOARD_GUI_CPUPROFILE=FILE writes a CPU profile of the whole session (for
	// `go tool pprof`), ended when the window closes or on SIGTERM.
	if p := os.Getenv("HOARD_GUI_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "hoard-gui: cpu profile:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if err := gui.Run(ctx, *db, toImport); err != nil {
		fmt.Fprintln(os.Stderr, "hoard-gui:", err)
		os.Exit(1)
	}
}

// argPath turns an argument (a path, or a file:// URI as the desktop entry's %U
// passes it) into an absolute path.
func argPath(a string) (string, error) {
	if strings.HasPrefix(a, "file://") {
		u, err := url.Parse(a)
		if err != nil || (u.Host != "" && u.Host != "localhost") {
			return "", fmt.Errorf("cannot open %s: only local files can be imported", a)
		}
		return u.Path, nil
	}
	if strings.Contains(a, "://") {
		return "", fmt.Errorf("cannot open %s: only local files can be imported", a)
	}
	return filepath.Abs(a)
}
