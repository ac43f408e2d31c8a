// Package probe loads and runs the rename tracker's eBPF programs: syscall
// tracepoints on rename, renameat, renameat2, unlink, unlinkat and rmdir that
// report successful calls with paths made absolute in the kernel. It is the only
// package that imports cilium/ebpf; it knows nothing of roots or the protocol.
package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// Kind says which syscall family an event came from.
type Kind uint32

// The kinds, as numbered in probe.c.
const (
	Rename Kind = 1
	Unlink Kind = 2 // unlink or unlinkat without AT_REMOVEDIR
	Rmdir  Kind = 3 // rmdir or unlinkat with AT_REMOVEDIR
)

// PathFlags say why a path the kernel assembled must not be trusted as is.
type PathFlags uint32

// The path flags, as numbered in probe.c.
const (
	Truncated  PathFlags = 1 << 0 // the base was longer than the probe carries
	DeletedCwd PathFlags = 1 << 1 // the base directory was already deleted
	BadFD      PathFlags = 1 << 2 // the dirfd was not an open file
	OtherMntNS PathFlags = 1 << 3 // the path belongs to another mount namespace
	Detached   PathFlags = 1 << 4 // the walk ended at a detached mount
	UserFault  PathFlags = 1 << 5 // the caller's path string was unreadable
	NameLong   PathFlags = 1 << 6 // a name longer than 255 bytes
	Chroot     PathFlags = 1 << 7 // the caller is chrooted: its ".." stops at its own root
)

// Rename flags of renameat2(2).
const (
	RenameNoReplace = unix.RENAME_NOREPLACE
	RenameExchange  = unix.RENAME_EXCHANGE
	RenameWhiteout  = unix.RENAME_WHITEOUT
)

// Event is one successful rename, unlink or rmdir as the kernel saw it. Paths
// are raw: absolute, but not cleaned (they may hold "//", "." and "..").
type Event struct {
	Kind     Kind
	SysFlags uint32 // renameat2 flags, or unlinkat flags
	Paths    [2]string
	Flags    [2]PathFlags
	Pid, Tid uint32
	UID      uint32
	Comm     string
	TS       uint64 // CLOCK_BOOTTIME, nanoseconds
}

// ErrRefused is returned (wrapped) by Load when the kernel will not load or
// attach the programs: no BPF permission, lockdown, or missing tracepoints.
var ErrRefused = errors.New("kernel refused BPF")

// Probe is the loaded and attached programs plus the ring buffer reader.
type Probe struct {
	objs    probeObjects
	links   []link.Link
	reader  *ringbuf.Reader
	lostMem *ebpf.Memory
	lost    uint64
	misses  uint64    // the programs' recursion misses counted so far
	missAt  time.Time // when they were last read
}

// PollInterval bounds how long an event waits in the ring buffer: the kernel
// side submits without wakeups, so the reader polls.
const PollInterval = 4 * time.Millisecond

// rootKeySize is ROOT_KEY in probe.c: the longest root the kernel filter holds is
// one byte shorter.
const rootKeySize = 256

// Load loads the programs into the kernel and attaches them. Close releases them.
// With roots (clean absolute paths), the kernel drops events whose paths are clean
// and under none of them, so that activity elsewhere on the machine costs neither
// ring buffer space nor helper time; events it cannot judge (unclean or untrusted
// paths) still come through. Without roots, or with a root too long for the
// kernel's keys, every event comes through and the caller filters.
func Load(roots ...string) (*Probe, error) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("remove memlock limit: %w: %w", ErrRefused, err)
	}
	spec, err := loadProbe()
	if err != nil {
		return nil, fmt.Errorf("load probe spec: %w", err)
	}
	if ino, err := mntnsInode(); err == nil {
		if err := spec.Variables["host_mntns"].Set(ino); err != nil {
			return nil, fmt.Errorf("set host mount namespace: %w", err)
		}
	}
	filter := len(roots) > 0
	for _, r := range roots {
		if len(r) >= rootKeySize || !strings.HasPrefix(r, "/") {
			filter = false
		}
	}
	if filter {
		if err := spec.Variables["filter_roots"].Set(uint32(1)); err != nil {
			return nil, fmt.Errorf("turn on the root filter: %w", err)
		}
	}
	p := &Probe{}
	if err := spec.LoadAndAssign(&p.objs, nil); err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			return nil, fmt.Errorf("load eBPF programs: %w: %+v", ErrRefused, verr)
		}
		return nil, fmt.Errorf("load eBPF programs: %w: %w", ErrRefused, err)
	}
	if filter {
		for _, r := range roots {
			var key [rootKeySize]byte
			copy(key[:], r)
			if err := p.objs.Roots.Put(key, uint8(1)); err != nil {
				p.Close()
				return nil, fmt.Errorf("load root %s into the kernel filter: %w", r, err)
			}
		}
	}
	if err := p.attach(); err != nil {
		p.Close()
		return nil, err
	}
	p.reader, err = ringbuf.NewReader(p.objs.Events)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("open ring buffer: %w", err)
	}
	if _, err := p.Lost(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Probe) attach() error {
	if err := ensureTracefs(); err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	// Exits first: an enter without its exit would leave a stale entry behind.
	for _, name := range []string{"rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir"} {
		if err := p.tracepoint("sys_exit_"+name, p.objs.ExitAny); err != nil {
			return err
		}
	}
	enters := []struct {
		name string
		prog *ebpf.Program
	}{
		{"rename", p.objs.EnterRename},
		{"renameat", p.objs.EnterRenameat},
		{"renameat2", p.objs.EnterRenameat2},
		{"unlink", p.objs.EnterUnlink},
		{"unlinkat", p.objs.EnterUnlinkat},
		{"rmdir", p.objs.EnterRmdir},
	}
	for _, e := range enters {
		if err := p.tracepoint("sys_enter_"+e.name, e.prog); err != nil {
			return err
		}
	}
	return nil
}

func (p *Probe) tracepoint(name string, prog *ebpf.Program) error {
	l, err := link.Tracepoint("syscalls", name, prog, nil)
	if err != nil {
		return fmt.Errorf("attach tracepoint syscalls/%s: %w: %w", name, ErrRefused, err)
	}
	p.links = append(p.links, l)
	return nil
}

// ensureTracefs mounts tracefs when neither of its usual places has it: link
// opens tracepoints by their tracefs id.
func ensureTracefs() error {
	for _, dir := range []string{"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"} {
		if _, err := os.Stat(dir); err == nil {
			return nil
		}
	}
	if err := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, ""); err != nil {
		return fmt.Errorf("mount tracefs on /sys/kernel/tracing: %w", err)
	}
	return nil
}

func mntnsInode() (uint32, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/mnt", &st); err != nil {
		return 0, fmt.Errorf("stat own mount namespace: %w", err)
	}
	return uint32(st.Ino), nil
}

// Close detaches the programs and frees the maps. It interrupts Run.
func (p *Probe) Close() error {
	var errs []error
	if p.reader != nil {
		errs = append(errs, p.reader.Close())
	}
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	errs = append(errs, p.objs.Close())
	return errors.Join(errs...)
}

// lostCounters is the size of the lost map in probe.c.
const lostCounters = 4

// Lost returns how many events were dropped since the last call: the ring buffer
// was full, too many syscalls were in flight, or the kernel skipped a program.
// The probe's own counters are read through shared memory, so that works after
// the helper has dropped its privileges.
func (p *Probe) Lost() (uint64, error) {
	n, err := p.lostCounters()
	if err != nil {
		return 0, err
	}
	m, err := p.recursionMisses()
	if err != nil {
		return 0, err
	}
	return n + m, nil
}

// recursionMisses returns how many times since the last call the kernel did not
// run one of the programs because a BPF program was already running on that CPU.
// Syscall tracepoints run preemptibly on recent kernels: a task preempted inside
// any tracepoint program keeps every other task on its CPU from running one until
// it is scheduled again, and the kernel only counts the skipped runs. Each one is
// a syscall the probe did not see, so it is a lost event.
func (p *Probe) recursionMisses() (uint64, error) {
	// Seven syscalls: not at every 4 ms poll of an idle helper.
	if time.Since(p.missAt) < busyReportEvery {
		return 0, nil
	}
	p.missAt = time.Now()
	var total uint64
	for _, prog := range []*ebpf.Program{p.objs.EnterRename, p.objs.EnterRenameat, p.objs.EnterRenameat2,
		p.objs.EnterUnlink, p.objs.EnterUnlinkat, p.objs.EnterRmdir, p.objs.ExitAny} {
		st, err := prog.Stats()
		if err != nil {
			return 0, fmt.Errorf("read program stats of %v: %w", prog, err)
		}
		total += st.RecursionMisses
	}
	if total <= p.misses {
		return 0, nil
	}
	delta := total - p.misses
	p.misses = total
	return delta, nil
}

func (p *Probe) lostCounters() (uint64, error) {
	if p.lostMem == nil {
		mem, err := p.objs.Lost.Memory()
		if err != nil {
			return 0, fmt.Errorf("map lost counters: %w", err)
		}
		p.lostMem = mem
	}
	var buf [lostCounters * 8]byte
	if _, err := p.lostMem.ReadAt(buf[:], 0); err != nil {
		return 0, fmt.Errorf("read lost counters: %w", err)
	}
	var total uint64
	for i := range lostCounters {
		total += binary.NativeEndian.Uint64(buf[i*8:])
	}
	if total <= p.lost {
		return 0, nil
	}
	delta := total - p.lost
	p.lost = total
	return delta, nil
}

// Run reads events until ctx ends or the probe is closed. It calls emit for each
// event, and idle whenever the ring buffer has been drained (at least every
// PollInterval), or every busyReportEvery while it never is, with the number of
// events dropped since the last call. An error
// from either stops Run and is returned.
func (p *Probe) Run(ctx context.Context, emit func(Event) error, idle func(lost uint64) error) error {
	var rec ringbuf.Record
	lastIdle := time.Now()
	for {
		if ctx.Err() != nil {
			return nil
		}
		p.reader.SetDeadline(time.Now().Add(PollInterval))
		err := p.reader.ReadInto(&rec)
		switch {
		case err == nil:
			ev, derr := decode(rec.RawSample)
			if derr != nil {
				return derr
			}
			if err := emit(ev); err != nil {
				return err
			}
			// A ring buffer that never runs dry is when events get lost: say so
			// while still busy, not only once the burst is over.
			if time.Since(lastIdle) < busyReportEvery {
				continue
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
		case errors.Is(err, ringbuf.ErrClosed):
			return nil
		default:
			return fmt.Errorf("read ring buffer: %w", err)
		}
		n, err := p.Lost()
		if err != nil {
			return err
		}
		if err := idle(n); err != nil {
			return err
		}
		lastIdle = time.Now()
	}
}

// busyReportEvery is how often Run calls idle while events keep coming.
const busyReportEvery = 100 * time.Millisecond

var hdrSize = int(unsafe.Sizeof(probeEventHdr{}))

func decode(raw []byte) (Event, error) {
	if len(raw) < hdrSize {
		return Event{}, fmt.Errorf("decode event: %d bytes, want at least %d", len(raw), hdrSize)
	}
	var h probeEventHdr
	if _, err := binary.Decode(raw[:hdrSize], binary.NativeEndian, &h); err != nil {
		return Event{}, fmt.Errorf("decode event header: %w", err)
	}
	data := raw[hdrSize:]
	l0, l1 := int(h.Len[0]), int(h.Len[1])
	if l0+l1 > len(data) {
		return Event{}, fmt.Errorf("decode event: paths of %d+%d bytes in %d", l0, l1, len(data))
	}
	comm := h.Comm[:]
	if i := bytes.IndexByte(comm, 0); i >= 0 {
		comm = comm[:i]
	}
	return Event{
		Kind:     Kind(h.Kind),
		SysFlags: h.Sysflags,
		Paths:    [2]string{string(data[:l0]), string(data[l0 : l0+l1])},
		Flags:    [2]PathFlags{PathFlags(h.Pflags[0]), PathFlags(h.Pflags[1])},
		Pid:      h.Pid,
		Tid:      h.Tid,
		UID:      h.Uid,
		Comm:     string(comm),
		TS:       h.Ts,
	}, nil
}
