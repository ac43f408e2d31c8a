package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"hoard/tracker"
	"hoard/tracker/probe"
	"hoard/tracker/roots"
)

func TestFilterConvert(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(root, "etclink")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(filepath.Dir(root), filepath.Base(root)+"2") // shares the prefix only
	rename := func(old, new string) probe.Event {
		return probe.Event{Kind: probe.Rename, Paths: [2]string{old, new}, Pid: 9, UID: 1000, Comm: "mv", TS: 1}
	}
	cases := []struct {
		name string
		in   probe.Event
		want *tracker.Event // nil: dropped
		lost uint64
	}{
		{"file rename", rename(root+"/a", root+"/file"),
			&tracker.Event{Type: tracker.TypeRename, Old: root + "/a", New: root + "/file", Pid: 9, UID: 1000, Comm: "mv", TS: 1}, 0},
		{"dir rename", rename(root+"/x", root+"//dir/"),
			&tracker.Event{Type: tracker.TypeRename, Old: root + "/x", New: root + "/dir", Dir: true, Pid: 9, UID: 1000, Comm: "mv", TS: 1}, 0},
		{"vanished new", rename(root+"/x", root+"/gone"),
			&tracker.Event{Type: tracker.TypeRename, Old: root + "/x", New: root + "/gone", Pid: 9, UID: 1000, Comm: "mv", TS: 1,
				Flags: []tracker.Flag{tracker.FlagDirUnknown}}, 0},
		{"moved out", rename(root+"/file", out+"/file"),
			&tracker.Event{Type: tracker.TypeRename, Old: root + "/file", New: out + "/file", Pid: 9, UID: 1000, Comm: "mv", TS: 1,
				Flags: []tracker.Flag{tracker.FlagDirUnknown}}, 0},
		{"prefix sibling only", rename(out+"/a", out+"/b"), nil, 0},
		{"elsewhere", rename("/var/tmp/a", "/var/tmp/b"), nil, 0},
		{"dotdot through a symlink leaves the root", rename(root+"/etclink/../passwd", root+"/etclink/../shadow"), nil, 0},
		{"dotdot resolved", rename(root+"/dir/../file", root+"/dir/./x"),
			&tracker.Event{Type: tracker.TypeRename, Old: root + "/file", New: root + "/dir/x", Pid: 9, UID: 1000, Comm: "mv", TS: 1,
				Flags: []tracker.Flag{tracker.FlagUnclean, tracker.FlagDirUnknown}}, 0},
		{"dotdot from a chrooted caller counts as lost", probe.Event{Kind: probe.Rename, Paths: [2]string{root + "/dir/../a", root + "/b"}, Flags: [2]probe.PathFlags{probe.Chroot, probe.Chroot}}, nil, 1},
		{"chrooted caller without dotdot", probe.Event{Kind: probe.Unlink, Paths: [2]string{root + "/a"}, Flags: [2]probe.PathFlags{probe.Chroot}},
			&tracker.Event{Type: tracker.TypeUnlink, Path: root + "/a"}, 0},
		{"truncated counts as lost", probe.Event{Kind: probe.Rename, Paths: [2]string{root + "/a", "/deep"}, Flags: [2]probe.PathFlags{0, probe.Truncated}}, nil, 1},
		{"other mount namespace is flagged", probe.Event{Kind: probe.Unlink, Paths: [2]string{root + "/f"}, Flags: [2]probe.PathFlags{probe.OtherMntNS}},
			&tracker.Event{Type: tracker.TypeUnlink, Path: root + "/f", Flags: []tracker.Flag{tracker.FlagOtherMntNS}}, 0},
		{"rmdir", probe.Event{Kind: probe.Rmdir, Paths: [2]string{root + "/d"}, UID: 5},
			&tracker.Event{Type: tracker.TypeUnlink, Path: root + "/d", Dir: true, UID: 5}, 0},
		{"exchange", probe.Event{Kind: probe.Rename, SysFlags: probe.RenameExchange, Paths: [2]string{root + "/dir", root + "/file"}},
			&tracker.Event{Type: tracker.TypeRename, Old: root + "/dir", New: root + "/file", Exchange: true}, 0},
		{"whiteout", probe.Event{Kind: probe.Rename, SysFlags: probe.RenameWhiteout, Paths: [2]string{root + "/file", root + "/file"}},
			&tracker.Event{Type: tracker.TypeRename, Old: root + "/file", New: root + "/file", Whiteout: true}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFilter(roots.NewSet([]string{root}), false)
			got, ok := f.convert(c.in)
			if lost := f.takeLost(); lost != c.lost {
				t.Errorf("lost %d, want %d", lost, c.lost)
			}
			if c.want == nil {
				if ok {
					t.Fatalf("emitted %+v, want it dropped", got)
				}
				return
			}
			if !ok {
				t.Fatal("dropped, want it emitted")
			}
			if !reflect.DeepEqual(got, *c.want) {
				t.Fatalf("got  %+v\nwant %+v", got, *c.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("emitted an invalid event: %v", err)
			}
		})
	}
}

func TestFilterHidesPrivateDirs(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can search every directory; the end-to-end test covers this with a dropped helper")
	}
	root := t.TempDir()
	private := filepath.Join(root, "private")
	if err := os.Mkdir(private, 0o000); err != nil {
		t.Fatal(err)
	}
	f := newFilter(roots.NewSet([]string{root}), true)
	if ev, ok := f.convert(probe.Event{Kind: probe.Unlink, Paths: [2]string{private + "/secret"}}); ok {
		t.Fatalf("emitted %+v from an unreadable directory", ev)
	}
	if _, ok := f.convert(probe.Event{Kind: probe.Unlink, Paths: [2]string{root + "/public"}}); !ok {
		t.Fatal("dropped an event from a readable directory")
	}
}
