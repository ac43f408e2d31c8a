//go:build ignore

// The rename tracker's kernel half. Syscall tracepoints on rename, renameat,
// renameat2, unlink, unlinkat and rmdir. At sys_enter the base directory of each
// path argument (task root, cwd, or the dirfd's file) is turned into an absolute
// path by walking d_parent, hopping mounts; at sys_exit, only when the call
// succeeded, the user's path strings are read (by then getname() has faulted
// them in) and one event goes to the ring buffer. Userspace joins, cleans and
// filters. Anything the walk cannot vouch for is flagged, never guessed.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200

// BASE_MAX is the longest base directory the walk assembles; BASE_BUF leaves room
// for one more name so the verifier can prove every write is in bounds.
#define BASE_MAX 4096
#define BASE_BUF (BASE_MAX + 256)
#define USER_MAX 4096
// A composed path: base + '/' + user string.
#define PATH_BUF (BASE_MAX + 1 + USER_MAX + 255)
#define NAME_MAX 255
// Loop budget of one walk: path components plus mount hops.
#define WALK_STEPS 256

enum kind {
	KIND_RENAME = 1,
	KIND_UNLINK = 2,
	KIND_RMDIR = 3,
};

// Path flags: why a path must not be trusted as is.
enum path_flag {
	PF_TRUNCATED = 1 << 0,   // base longer than BASE_MAX or the walk ran out of steps
	PF_DELETED_CWD = 1 << 1, // the base directory was already deleted
	PF_BAD_FD = 1 << 2,      // dirfd not open or not a directory we can read
	PF_OTHER_MNTNS = 1 << 3, // walk ended in another mount namespace
	PF_DETACHED = 1 << 4,    // walk ended at a root that is not a mount namespace root
	PF_USER_FAULT = 1 << 5,  // the user's path string could not be read
	PF_NAME_LONG = 1 << 6,   // a component name longer than NAME_MAX
	PF_CHROOT = 1 << 7,      // the caller is chrooted: ".." stops at its root, not ours
};

// Where a path argument's base comes from.
enum base_src {
	BASE_REL = 0,     // relative: resolved from cwd or dirfd
	BASE_ABS = 1,     // absolute: resolved from the task's root
	BASE_UNKNOWN = 2, // first byte unreadable at enter; decided at exit
	BASE_SHARED = 0x100, // or'ed in: the second argument uses the first one's base
};

struct event_hdr {
	__u64 ts;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 kind;
	__u32 sysflags;
	__u32 pflags[2];
	__u32 len[2];
	__u8 comm[16];
};

// ROOT_KEY is the size of a key of the roots map: a root path of up to
// ROOT_KEY - 1 bytes, zero padded.
#define ROOT_KEY 256

struct root_key {
	char p[ROOT_KEY];
};

struct event {
	__u64 busy; // not sent: guards the per-CPU buffer against a preempting task
	struct root_key key; // not sent: scratch for looking paths up in roots
	struct event_hdr h;
	char data[2 * PATH_BUF];
};

// Per in-flight syscall: the bases resolved at enter.
struct inflight {
	__u32 active; // set at enter, cleared at exit: an exit without its enter is ignored
	__u32 pad;
	__u64 name[2];
	__s32 dfd[2];
	__u32 kind;
	__u32 sysflags;
	__u32 nargs;
	__u32 off[2]; // base[i] occupies [off[i], BASE_MAX)
	__u32 pflags[2];
	__u32 src[2];
	char base[2][BASE_BUF];
};

const volatile __u32 host_mntns = 0;

// When set, events whose paths are clean and lie under none of the roots are
// dropped here instead of in userspace: a busy machine renames and unlinks far
// more outside the roots (builds, caches, browsers) than inside them, and every
// event sent costs ring buffer space and helper time. Userspace sets it only when
// every root fits in a key.
const volatile __u32 filter_roots = 0;

// The roots, each a clean absolute path without a trailing slash.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct root_key);
	__type(value, __u8);
} roots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

// Task-local storage: created once per task that renames, reused by every
// later call, freed with the task. No per-call allocation or 8 KiB copy.
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} scratch SEC(".maps");

// lost[0]: ring buffer full; lost[1]: no task storage; lost[2]: the per-CPU
// event buffer was in use by a preempted task on this CPU. Memory-mapped, so
// the helper reads it after dropping privileges (older kernels refuse bpf()
// map look-ups without CAP_BPF when unprivileged BPF is disabled).
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

// Force a wakeup only when this much is waiting: userspace polls on a short
// deadline, and a wakeup per event costs more than the rename itself.
#define WAKEUP_BYTES (512 << 10)

static __always_inline void count_lost(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&lost, &idx);
	if (v)
		__sync_fetch_and_add(v, 1);
}

struct walk {
	struct dentry *dentry;
	struct mount *mnt;
	char *buf;
	__u32 off;
	__u32 flags;
	__u32 done;
};

static long walk_step(__u32 i, void *arg)
{
	struct walk *w = arg;
	struct dentry *d = w->dentry;
	struct mount *mnt = w->mnt;

	struct dentry *mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
	if (d == mnt_root) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt || !parent) {
			// The root of a mount namespace, or a detached mount.
			struct mnt_namespace *ns = BPF_CORE_READ(mnt, mnt_ns);
			if (!ns) {
				w->flags |= PF_DETACHED;
			} else if (host_mntns) {
				__u32 inum = BPF_CORE_READ(ns, ns.inum);
				if (inum != host_mntns)
					w->flags |= PF_OTHER_MNTNS;
			}
			w->done = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = parent;
		return 0;
	}
	struct dentry *p = BPF_CORE_READ(d, d_parent);
	if (p == d || !p) {
		// A filesystem root that is not the mount's root: the walk cannot vouch.
		w->flags |= PF_DETACHED;
		w->done = 1;
		return 1;
	}
	__u32 len = BPF_CORE_READ(d, d_name.len);
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	if (len > NAME_MAX) {
		w->flags |= PF_NAME_LONG | PF_TRUNCATED;
		w->done = 1;
		return 1;
	}
	if (len + 1 > w->off) {
		w->flags |= PF_TRUNCATED;
		w->done = 1;
		return 1;
	}
	__u32 off = w->off - len;
	off &= (BASE_MAX - 1);
	len &= NAME_MAX;
	bpf_probe_read_kernel(w->buf + off, len, name);
	off -= 1;
	off &= (BASE_MAX - 1);
	w->buf[off] = '/';
	w->off = off;
	w->dentry = p;
	return 0;
}

// resolve writes the absolute path of (dentry, vfsmount) to the end of buf
// (ending at BASE_MAX) and returns where it starts; flags gets PF_* bits.
static __always_inline __u32 resolve(struct dentry *d, struct vfsmount *vfsmnt, char *buf, __u32 *flags)
{
	struct walk w = {
		.dentry = d,
		.mnt = container_of(vfsmnt, struct mount, mnt),
		.buf = buf,
		.off = BASE_MAX,
	};
	// A deleted directory still has its old name chain; its path is a lie.
	if (d && BPF_CORE_READ(d, d_parent) != d && !BPF_CORE_READ(d, d_hash.pprev))
		*flags |= PF_DELETED_CWD;
	bpf_loop(WALK_STEPS, walk_step, &w, 0);
	if (!w.done)
		*flags |= PF_TRUNCATED;
	*flags |= w.flags;
	return w.off;
}

static __always_inline void resolve_root(struct task_struct *task, struct inflight *v, int i)
{
	struct path root = BPF_CORE_READ(task, fs, root);
	__u32 flags = 0;
	__u32 off = resolve(root.dentry, root.mnt, v->base[i & 1], &flags);
	v->off[i & 1] = off;
	v->pflags[i & 1] |= flags;
}

static __always_inline void resolve_rel(struct task_struct *task, struct inflight *v, int i)
{
	int dfd = v->dfd[i & 1];
	struct path p;
	if (dfd == AT_FDCWD) {
		p = BPF_CORE_READ(task, fs, pwd);
	} else {
		struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
		unsigned int max = BPF_CORE_READ(fdt, max_fds);
		if (dfd < 0 || (unsigned int)dfd >= max) {
			v->pflags[i & 1] |= PF_BAD_FD;
			v->off[i & 1] = BASE_MAX;
			return;
		}
		struct file **fds = BPF_CORE_READ(fdt, fd);
		struct file *f = NULL;
		bpf_probe_read_kernel(&f, sizeof(f), &fds[dfd]);
		if (!f) {
			v->pflags[i & 1] |= PF_BAD_FD;
			v->off[i & 1] = BASE_MAX;
			return;
		}
		p = BPF_CORE_READ(f, f_path);
	}
	__u32 flags = 0;
	__u32 off = resolve(p.dentry, p.mnt, v->base[i & 1], &flags);
	v->off[i & 1] = off;
	v->pflags[i & 1] |= flags;
}

// chrooted reports whether the task's root is not the root of its mount
// namespace: following mounts stacked on "/" (an initramfs's switch_root leaves
// one) must reach the namespace's root without a single d_parent step.
static __always_inline bool chrooted(struct task_struct *task)
{
	struct path root = BPF_CORE_READ(task, fs, root);
	struct dentry *d = root.dentry;
	struct mount *mnt = container_of(root.mnt, struct mount, mnt);
	for (int i = 0; i < 8; i++) {
		if (d != BPF_CORE_READ(mnt, mnt.mnt_root))
			return true;
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt || !parent)
			return false;
		d = BPF_CORE_READ(mnt, mnt_mountpoint);
		mnt = parent;
	}
	return true; // more stacked mounts than we look at: assume the worst
}

static __always_inline int on_enter(__u32 kind, __u32 nargs, int dfd0, const char *name0, int dfd1, const char *name1, __u32 sysflags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inflight *v = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v) {
		count_lost(1);
		return 0;
	}
	v->active = 1;
	v->kind = kind;
	v->nargs = nargs;
	v->sysflags = sysflags;
	v->name[0] = (__u64)name0;
	v->name[1] = (__u64)name1;
	v->dfd[0] = dfd0;
	v->dfd[1] = dfd1;
	v->pflags[0] = 0;
	v->pflags[1] = 0;
	v->off[0] = BASE_MAX;
	v->off[1] = BASE_MAX;

	// Chrooted callers get host paths, but their ".." cannot climb above their
	// root, so userspace must not resolve ".." for them.
	if (chrooted(task)) {
		v->pflags[0] |= PF_CHROOT;
		v->pflags[1] |= PF_CHROOT;
	}

	for (int i = 0; i < 2; i++) {
		if (i >= nargs)
			break;
		char c = 0;
		const char *name = i == 0 ? name0 : name1;
		if (bpf_probe_read_user(&c, 1, name)) {
			// Not faulted in yet: assume relative now (cwd may be renamed
			// by this very call), walk the root at exit if it was absolute.
			v->src[i] = BASE_UNKNOWN;
		} else {
			v->src[i] = c == '/' ? BASE_ABS : BASE_REL;
		}
		if (i == 1 && v->src[1] != BASE_UNKNOWN && v->src[1] == v->src[0] && dfd1 == dfd0) {
			// Same base as the first argument (the usual case): share it.
			v->src[1] |= BASE_SHARED;
			continue;
		}
		if (v->src[i] == BASE_ABS)
			resolve_root(task, v, i);
		else
			resolve_rel(task, v, i);
	}
	return 0;
}

// compose writes base + ('/' if relative) + user string to dst, returns length.
static __always_inline __u32 compose(struct task_struct *task, struct inflight *v, int i, char *dst, __u32 *pflags)
{
	__u32 src = v->src[i & 1];
	int b = i & 1;
	if (src & BASE_SHARED)
		b = 0;
	src &= ~BASE_SHARED;
	const char *uname = (const char *)v->name[i & 1];

	if (src == BASE_UNKNOWN) {
		char c = 0;
		if (bpf_probe_read_user(&c, 1, uname)) {
			*pflags |= PF_USER_FAULT;
			return 0;
		}
		if (c == '/') {
			// Absolute after all: discard the relative base, walk the root now.
			v->pflags[b] &= PF_CHROOT;
			resolve_root(task, v, b);
			src = BASE_ABS;
		}
	}
	*pflags |= v->pflags[b];

	__u32 off = v->off[b];
	if (off > BASE_MAX)
		off = BASE_MAX;
	__u32 n = BASE_MAX - off;
	if (n > BASE_MAX)
		n = BASE_MAX;
	if (n > 0)
		bpf_probe_read_kernel(dst, n, v->base[b] + (off & (BASE_MAX - 1)));
	if (src != BASE_ABS) {
		dst[n] = '/';
		n += 1;
	}
	long r = bpf_probe_read_user_str(dst + n, USER_MAX, uname);
	if (r <= 0) {
		*pflags |= PF_USER_FAULT;
		return n;
	}
	return n + (__u32)r - 1;
}

// Path flags that make a path unusable as is: userspace must see such an event to
// count it as lost (it cannot tell where the path is).
#define PF_UNTRUSTED (PF_TRUNCATED | PF_DELETED_CWD | PF_BAD_FD | PF_DETACHED | PF_USER_FAULT | PF_NAME_LONG)

struct scan {
	struct event *e;
	__u32 off, len;   // the path is e->data[off, off+len)
	__u32 comp;       // where the current component starts
	__u32 verdict;    // 0 undecided, 1 under a root (or unclean: let userspace decide)
};

// scan_step looks at byte i of the path; at each '/' (and at the end) the prefix
// before it, already copied into the zeroed key, is looked up in roots.
static long scan_step(__u32 i, void *arg)
{
	struct scan *sc = arg;
	struct event *e = sc->e;
	char c = 0;
	if (i < sc->len) {
		__u32 idx = sc->off + i;
		if (idx >= sizeof(e->data))
			return 1;
		c = e->data[idx];
	}
	if (c == '/' || i >= sc->len) {
		__u32 n = i - sc->comp; // length of the component that ends here
		if (i > 0 && n == 0) {
			sc->verdict = 1; // "//": not clean
			return 1;
		}
		if (n == 1 || n == 2) {
			__u32 a = sc->comp & (ROOT_KEY - 1);
			if (e->key.p[a] == '.' && (n == 1 || e->key.p[(a + 1) & (ROOT_KEY - 1)] == '.')) {
				sc->verdict = 1; // "." or "..": not clean
				return 1;
			}
		}
		if (i > 0 && bpf_map_lookup_elem(&roots, &e->key)) {
			sc->verdict = 1;
			return 1;
		}
		if (i >= sc->len || i >= ROOT_KEY - 1)
			return 1; // no root is longer than a key
		sc->comp = i + 1;
	}
	if (i >= ROOT_KEY - 1)
		return 1;
	e->key.p[i & (ROOT_KEY - 1)] = c;
	return 0;
}

// wanted reports whether userspace must see path i of the event: it lies under a
// root, or it is not clean or not trusted (userspace resolves or counts it).
static __always_inline int wanted(struct event *e, __u32 off, __u32 len, __u32 pflags)
{
	if (pflags & (PF_UNTRUSTED | PF_CHROOT))
		return 1;
	if (len == 0 || off >= sizeof(e->data))
		return 1;
	__builtin_memset(&e->key, 0, sizeof(e->key));
	struct scan sc = {.e = e, .off = off, .len = len};
	bpf_loop(ROOT_KEY + 1, scan_step, &sc, 0);
	return sc.verdict;
}

static __always_inline int on_exit(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inflight *v = bpf_task_storage_get(&inflight, task, 0, 0);
	if (!v || !v->active)
		return 0;
	v->active = 0;
	if (ret != 0)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();

	__u32 zero = 0;
	struct event *e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	// Syscall tracepoints may run preemptibly: never let two tasks on one CPU
	// write the same buffer. The loser's event is counted as lost.
	if (__sync_lock_test_and_set(&e->busy, 1)) {
		count_lost(2);
		return 0;
	}

	e->h.ts = bpf_ktime_get_boot_ns();
	e->h.pid = id >> 32;
	e->h.tid = (__u32)id;
	e->h.uid = (__u32)bpf_get_current_uid_gid();
	e->h.kind = v->kind;
	e->h.sysflags = v->sysflags;
	e->h.pflags[0] = 0;
	e->h.pflags[1] = 0;
	e->h.len[1] = 0;
	bpf_get_current_comm(e->h.comm, sizeof(e->h.comm));

	__u32 l0 = compose(task, v, 0, e->data, &e->h.pflags[0]);
	if (l0 > PATH_BUF)
		l0 = PATH_BUF;
	e->h.len[0] = l0;
	__u32 total = l0;
	if (v->nargs > 1) {
		__u32 l1 = compose(task, v, 1, e->data + l0, &e->h.pflags[1]);
		if (l1 > PATH_BUF)
			l1 = PATH_BUF;
		e->h.len[1] = l1;
		total += l1;
	}
	if (filter_roots && !wanted(e, 0, e->h.len[0], e->h.pflags[0]) &&
	    (v->nargs < 2 || !wanted(e, e->h.len[0], e->h.len[1], e->h.pflags[1]))) {
		__sync_lock_test_and_set(&e->busy, 0);
		return 0;
	}
	__u64 size = sizeof(e->h) + total;
	if (size > sizeof(e->h) + sizeof(e->data))
		size = sizeof(e->h) + sizeof(e->data);
	__u64 wake = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > WAKEUP_BYTES)
		wake = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, &e->h, size, wake))
		count_lost(0);
	__sync_lock_test_and_set(&e->busy, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_rename")
int enter_rename(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KIND_RENAME, 2, AT_FDCWD, (const char *)ctx->args[0], AT_FDCWD, (const char *)ctx->args[1], 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat")
int enter_renameat(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KIND_RENAME, 2, (int)ctx->args[0], (const char *)ctx->args[1], (int)ctx->args[2], (const char *)ctx->args[3], 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat2")
int enter_renameat2(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KIND_RENAME, 2, (int)ctx->args[0], (const char *)ctx->args[1], (int)ctx->args[2], (const char *)ctx->args[3], (__u32)ctx->args[4]);
}

SEC("tracepoint/syscalls/sys_enter_unlink")
int enter_unlink(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KIND_UNLINK, 1, AT_FDCWD, (const char *)ctx->args[0], AT_FDCWD, 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 flags = (__u32)ctx->args[2];
	return on_enter((flags & AT_REMOVEDIR) ? KIND_RMDIR : KIND_UNLINK, 1, (int)ctx->args[0], (const char *)ctx->args[1], AT_FDCWD, 0, flags);
}

SEC("tracepoint/syscalls/sys_enter_rmdir")
int enter_rmdir(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KIND_RMDIR, 1, AT_FDCWD, (const char *)ctx->args[0], AT_FDCWD, 0, 0);
}

// One exit program serves all six syscalls; the in-flight entry says which.
SEC("tracepoint/syscalls/sys_exit_rename")
int exit_any(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}
