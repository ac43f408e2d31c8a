# Hoard's build. `make run` sets up and starts the app; `make test` sets up and runs
# every test. Both install what they need on a fresh Debian machine (as root, or with
# sudo available).

GO         ?= go
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR    ?= $(PREFIX)/share
# polkit reads actions and rules only from /usr/share, whatever the prefix.
POLKITDIR  ?= /usr/share/polkit-1
BIN      := bin
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: to build the window (cgo GL/X11), and for the tests (Xvfb, xprop and
# screenshots, video/PDF thumbnails, desktop-entry and polkit validators, gtk-launch to
# start the installed launcher the way a double-click does, python3 for
# rename syscalls the way Python makes them).
APT_BUILD := gcc libc6-dev make pkg-config libgl1-mesa-dev xorg-dev
APT_RUN   := xdg-utils ffmpegthumbnailer poppler-utils pkexec
APT_TEST  := xvfb xauth x11-utils imagemagick xdotool ffmpeg libjpeg-turbo-progs desktop-file-utils libgtk-3-bin python3 sqlite3 util-linux
APT_GEN   := clang-19 llvm-19 libbpf-dev bpftool

.PHONY: all build run deps deps-test test test-go lint bench generate generate-check generate-current \
        install user-install uninstall clean

all: build

# apt-get only when something is missing, so a warm machine pays nothing.
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_ensure,$(APT_BUILD) $(APT_RUN))

deps-test: deps
	$(call apt_ensure,$(APT_TEST))

build: deps
	$(GO) build -o $(BIN)/ ./cmd/hoard ./cmd/hoard-gui ./cmd/hoard-tracker

# Start the desktop app on the default library.
run: build
	./$(BIN)/hoard-gui

# Every test: vet, staticcheck, unit tests and the end-to-end tests (the tracker's run
# for real as root; the window's under Xvfb).
test: deps-test lint generate-current test-go

# When clang-19 is installed, the committed eBPF objects must match probe.c.
generate-current:
	@if command -v clang-19 >/dev/null && dpkg -s libbpf-dev >/dev/null 2>&1; then \
		$(GO) generate ./tracker/probe/ && \
		git diff --exit-code -- tracker/probe/probe_bpfel.go tracker/probe/probe_bpfel.o && \
		echo "eBPF objects are current"; \
	else echo "clang-19 not installed: not checking the committed eBPF objects (make generate-check does)"; fi

test-go:
	$(GO) test -count=1 -timeout 30m ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_bpfel.go$$')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Benchmarks against the issues' targets; corpora are generated once into .bench/.
bench: deps
	@mkdir -p .bench
	$(GO) test -run '^$$' -bench . -benchtime 20x -timeout 60m ./library/ ./library/query/ 2>&1 | tee .bench/library.txt
	@echo; echo "== summary =="; grep -E '^Benchmark' .bench/library.txt | awk '{printf "%-60s %14s %s\n", $$1, $$3, $$4}'

# Regenerate the eBPF objects from tracker/probe/probe.c (needs clang-19).
generate:
	$(call apt_ensure,$(APT_GEN))
	$(GO) generate ./tracker/probe/

# Fails when the committed eBPF objects differ from what the C source builds to
# (bpf2go output is byte-for-byte reproducible with the same clang).
generate-check: generate
	git diff --exit-code -- tracker/probe/probe_bpfel.go tracker/probe/probe_bpfel.o

# System-wide install (root): the app, the CLI, the tracker helper launched through
# pkexec, its polkit action and group rule, the desktop entry and icons.
install: build
	install -Dm755 $(BIN)/hoard $(DESTDIR)$(BINDIR)/hoard
	install -Dm755 $(BIN)/hoard-gui $(DESTDIR)$(BINDIR)/hoard-gui
	install -Dm755 $(BIN)/hoard-tracker $(DESTDIR)$(LIBEXECDIR)/hoard-tracker
	@if [ "$$(id -u)" = 0 ]; then chown root:root $(DESTDIR)$(LIBEXECDIR)/hoard-tracker; fi
	install -d $(DESTDIR)$(POLKITDIR)/actions $(DESTDIR)$(POLKITDIR)/rules.d
	sed 's|@HELPER@|$(LIBEXECDIR)/hoard-tracker|' assets/polkit/app.hoard.tracker.policy.in \
		> $(DESTDIR)$(POLKITDIR)/actions/app.hoard.tracker.policy
	install -m644 assets/polkit/50-app.hoard.tracker.rules $(DESTDIR)$(POLKITDIR)/rules.d/50-app.hoard.tracker.rules
	install -d $(DESTDIR)$(DATADIR)/applications
	sed 's|@BINDIR@|$(BINDIR)|g' assets/app.hoard.Hoard.desktop.in > $(DESTDIR)$(DATADIR)/applications/app.hoard.Hoard.desktop
	install -Dm644 assets/icon.png $(DESTDIR)$(DATADIR)/icons/hicolor/256x256/apps/app.hoard.Hoard.png
	install -Dm644 assets/icon.svg $(DESTDIR)$(DATADIR)/icons/hicolor/scalable/apps/app.hoard.Hoard.svg
	@if [ -z "$(DESTDIR)" ]; then \
		getent group hoard >/dev/null || groupadd --system hoard; \
		command -v update-desktop-database >/dev/null && update-desktop-database -q $(DATADIR)/applications || true; \
		command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t $(DATADIR)/icons/hicolor || true; \
		echo "Installed. To track renames without a password prompt: sudo usermod -aG hoard \$$USER (then log in again)."; \
	fi

# One user, no root: the app and the CLI under ~/.local. Rename tracking needs the
# system-wide helper (make install); without it the app reconciles at start instead.
user-install: build
	install -Dm755 $(BIN)/hoard $(HOME)/.local/bin/hoard
	install -Dm755 $(BIN)/hoard-gui $(HOME)/.local/bin/hoard-gui
	install -d $(HOME)/.local/share/applications
	sed 's|@BINDIR@|$(HOME)/.local/bin|g' assets/app.hoard.Hoard.desktop.in > $(HOME)/.local/share/applications/app.hoard.Hoard.desktop
	install -Dm644 assets/icon.png $(HOME)/.local/share/icons/hicolor/256x256/apps/app.hoard.Hoard.png
	install -Dm644 assets/icon.svg $(HOME)/.local/share/icons/hicolor/scalable/apps/app.hoard.Hoard.svg

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hoard $(DESTDIR)$(BINDIR)/hoard-gui $(DESTDIR)$(LIBEXECDIR)/hoard-tracker \
		$(DESTDIR)$(POLKITDIR)/actions/app.hoard.tracker.policy $(DESTDIR)$(POLKITDIR)/rules.d/50-app.hoard.tracker.rules \
		$(DESTDIR)$(DATADIR)/applications/app.hoard.Hoard.desktop \
		$(DESTDIR)$(DATADIR)/icons/hicolor/256x256/apps/app.hoard.Hoard.png \
		$(DESTDIR)$(DATADIR)/icons/hicolor/scalable/apps/app.hoard.Hoard.svg
	rm -f $(HOME)/.local/bin/hoard $(HOME)/.local/bin/hoard-gui $(HOME)/.local/share/applications/app.hoard.Hoard.desktop

clean:
	rm -rf $(BIN)
