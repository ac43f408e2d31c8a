// Package privdrop turns the root helper into an unprivileged process once its
// eBPF programs are attached: no new privileges, no supplementary groups, the
// invoking user's uid and gid (nobody's when root invoked it), and every
// capability set empty, on every thread.
package privdrop

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Nobody is where a helper started by root ends up.
const Nobody = 65534

// User is whom the helper acts for.
type User struct {
	UID, GID uint32
}

// Invoking returns the user who asked for the helper: PKEXEC_UID (set by
// pkexec, which clears the rest of the environment), else SUDO_UID, else the
// real uid. The gid is the user's primary group from /etc/passwd (SUDO_GID
// under sudo), or nogroup when the user has no entry.
func Invoking() (User, error) {
	for _, env := range []string{"PKEXEC_UID", "SUDO_UID"} {
		s, ok := os.LookupEnv(env)
		if !ok {
			continue
		}
		uid, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return User{}, fmt.Errorf("parse %s=%q: %w", env, s, err)
		}
		u := User{UID: uint32(uid), GID: primaryGID(uint32(uid))}
		if env == "SUDO_UID" {
			if g, err := strconv.ParseUint(os.Getenv("SUDO_GID"), 10, 32); err == nil {
				u.GID = uint32(g)
			}
		}
		return u, nil
	}
	uid := uint32(os.Getuid())
	return User{UID: uid, GID: primaryGID(uid)}, nil
}

// Target is the identity to drop to: u itself, or nobody when u is root.
func (u User) Target() User {
	if u.UID == 0 {
		return User{UID: Nobody, GID: Nobody}
	}
	return u
}

// primaryGID reads /etc/passwd directly: os/user would pull in cgo, and with
// cgo the runtime cannot run a syscall on all threads (see Drop).
func primaryGID(uid uint32) uint32 {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return Nobody
	}
	defer f.Close()
	want := strconv.FormatUint(uint64(uid), 10)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) >= 4 && fields[2] == want {
			if g, err := strconv.ParseUint(fields[3], 10, 32); err == nil {
				return uint32(g)
			}
		}
	}
	return Nobody
}

// Drop makes the whole process (every thread: Linux credentials are per thread)
// run as to with no capabilities, then checks the result in /proc.
func Drop(to User) error {
	if to.UID == 0 || to.GID == 0 {
		return fmt.Errorf("drop privileges: refusing to stay uid %d gid %d", to.UID, to.GID)
	}
	all := func(what string, trap, a1, a2, a3 uintptr) error {
		if _, _, errno := syscall.AllThreadsSyscall(trap, a1, a2, a3); errno != 0 {
			return fmt.Errorf("drop privileges: %s: %w", what, errno)
		}
		return nil
	}
	if err := all("PR_SET_NO_NEW_PRIVS", unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0); err != nil {
		return err
	}
	last, err := lastCap()
	if err != nil {
		return err
	}
	for c := 0; c <= last; c++ {
		if err := all(fmt.Sprintf("PR_CAPBSET_DROP %d", c), unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(c), 0); err != nil {
			return err
		}
	}
	if err := all("PR_CAP_AMBIENT_CLEAR_ALL", unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0); err != nil {
		return err
	}
	// These three already apply to all threads in Go's syscall package.
	if err := syscall.Setgroups(nil); err != nil {
		return fmt.Errorf("drop privileges: setgroups: %w", err)
	}
	if err := syscall.Setresgid(int(to.GID), int(to.GID), int(to.GID)); err != nil {
		return fmt.Errorf("drop privileges: setresgid %d: %w", to.GID, err)
	}
	if err := syscall.Setresuid(int(to.UID), int(to.UID), int(to.UID)); err != nil {
		return fmt.Errorf("drop privileges: setresuid %d: %w", to.UID, err)
	}
	// setresuid away from 0 empties the permitted and effective sets; the
	// inheritable set stays unless cleared.
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := all("capset", unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); err != nil {
		return err
	}
	// The process holds BPF objects that see every rename on the machine; the
	// user it now runs as must not ptrace it or take its fds through /proc.
	// The kernel usually clears dumpable on the uid change, unless
	// fs.suid_dumpable says otherwise.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("drop privileges: PR_SET_DUMPABLE: %w", err)
	}
	return Verify(os.Getpid(), to)
}

func lastCap() (int, error) {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return 0, fmt.Errorf("drop privileges: read cap_last_cap: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("drop privileges: parse cap_last_cap: %w", err)
	}
	return n, nil
}

// Status is what /proc/PID/task/TID/status says about one thread's credentials.
type Status struct {
	UID, GID                               [4]uint32 // real, effective, saved, fs
	Groups                                 []uint32
	CapInh, CapPrm, CapEff, CapBnd, CapAmb uint64
	NoNewPrivs                             bool
}

// ReadStatus parses one /proc status file.
func ReadStatus(path string) (Status, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Status{}, fmt.Errorf("read %s: %w", path, err)
	}
	var s Status
	seen := 0
	for _, line := range strings.Split(string(b), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		switch key {
		case "Uid", "Gid":
			if len(f) != 4 {
				return Status{}, fmt.Errorf("parse %s: %s line %q", path, key, line)
			}
			dst := &s.UID
			if key == "Gid" {
				dst = &s.GID
			}
			for i := range f {
				n, err := strconv.ParseUint(f[i], 10, 32)
				if err != nil {
					return Status{}, fmt.Errorf("parse %s: %w", path, err)
				}
				dst[i] = uint32(n)
			}
			seen++
		case "Groups":
			for _, g := range f {
				n, err := strconv.ParseUint(g, 10, 32)
				if err != nil {
					return Status{}, fmt.Errorf("parse %s: %w", path, err)
				}
				s.Groups = append(s.Groups, uint32(n))
			}
		case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb":
			if len(f) != 1 {
				return Status{}, fmt.Errorf("parse %s: %s line %q", path, key, line)
			}
			n, err := strconv.ParseUint(f[0], 16, 64)
			if err != nil {
				return Status{}, fmt.Errorf("parse %s: %w", path, err)
			}
			*map[string]*uint64{"CapInh": &s.CapInh, "CapPrm": &s.CapPrm, "CapEff": &s.CapEff,
				"CapBnd": &s.CapBnd, "CapAmb": &s.CapAmb}[key] = n
			seen++
		case "NoNewPrivs":
			s.NoNewPrivs = strings.TrimSpace(val) == "1"
			seen++
		}
	}
	if seen != 8 {
		return Status{}, fmt.Errorf("parse %s: missing credential lines", path)
	}
	return s, nil
}

// Unprivileged reports why s is not a thread running as to with no
// capabilities, no groups and no_new_privs set; nil when it is.
func (s Status) Unprivileged(to User) error {
	var errs []error
	for i, id := range s.UID {
		if id != to.UID {
			errs = append(errs, fmt.Errorf("uid[%d] is %d, want %d", i, id, to.UID))
		}
	}
	for i, id := range s.GID {
		if id != to.GID {
			errs = append(errs, fmt.Errorf("gid[%d] is %d, want %d", i, id, to.GID))
		}
	}
	if len(s.Groups) != 0 {
		errs = append(errs, fmt.Errorf("supplementary groups %v", s.Groups))
	}
	for name, c := range map[string]uint64{"CapInh": s.CapInh, "CapPrm": s.CapPrm, "CapEff": s.CapEff, "CapBnd": s.CapBnd, "CapAmb": s.CapAmb} {
		if c != 0 {
			errs = append(errs, fmt.Errorf("%s is %016x", name, c))
		}
	}
	if !s.NoNewPrivs {
		errs = append(errs, errors.New("no_new_privs is not set"))
	}
	return errors.Join(errs...)
}

// Verify checks every thread of process pid.
func Verify(pid int, to User) error {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		return fmt.Errorf("verify privileges: list threads of %d: %v", pid, err)
	}
	for _, t := range tasks {
		s, err := ReadStatus(t)
		if err != nil {
			return fmt.Errorf("verify privileges: %w", err)
		}
		if err := s.Unprivileged(to); err != nil {
			return fmt.Errorf("verify privileges: %s: %w", t, err)
		}
	}
	return nil
}
