package gui

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/godbus/dbus/v5"

	"hoard/library/thumbnail"
)

// opener hands files to the desktop. It is an interface so tests can record calls.
type opener interface {
	// Open shows the file in the user's default application.
	Open(path string) error
	// ShowInFolder opens a file manager with the files selected.
	ShowInFolder(paths []string) error
}

// systemOpener uses xdg-open (falling back to `gio open`) and the FileManager1 D-Bus
// interface (falling back to opening the folder).
type systemOpener struct{}

// Open starts xdg-open and reaps it in the background; if xdg-open is missing or
// fails, it tries `gio open`.
func (systemOpener) Open(path string) error {
	if _, err := exec.LookPath("xdg-open"); err == nil {
		cmd := exec.Command("xdg-open", path)
		if err := cmd.Start(); err == nil {
			go func() {
				if cmd.Wait() != nil {
					startReaped("gio", "open", path)
				}
			}()
			return nil
		}
	}
	if err := startReaped("gio", "open", path); err != nil {
		return fmt.Errorf("open %s: neither xdg-open nor gio could start (install xdg-utils): %w", path, err)
	}
	return nil
}

// startReaped starts a command and waits for it on another goroutine, so no zombie
// is left behind.
func startReaped(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// ShowInFolder asks the file manager (org.freedesktop.FileManager1.ShowItems) to show
// the files; without one on the session bus, it opens the first file's folder.
func (o systemOpener) ShowInFolder(paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	if err := showItems(paths); err == nil {
		return nil
	}
	return o.Open(filepath.Dir(paths[0]))
}

func showItems(paths []string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	uris := make([]string, len(paths))
	for i, p := range paths {
		uris[i] = thumbnail.FileURI(p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	obj := conn.Object("org.freedesktop.FileManager1", "/org/freedesktop/FileManager1")
	return obj.CallWithContext(ctx, "org.freedesktop.FileManager1.ShowItems", 0, uris, "").Err
}
