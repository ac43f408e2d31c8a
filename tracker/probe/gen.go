package probe

// The C source is compiled by bpf2go into probe_bpfel.go and probe_bpfel.o, both
// committed so that building Hoard needs no clang. vmlinux.h comes from
// `bpftool btf dump file /sys/kernel/btf/vmlinux format c`; CO-RE relocations
// make the object portable across kernels. -mcpu=v3 for atomic exchange
// (kernel 5.12 and later).

//go:generate go tool bpf2go -cc clang-19 -cflags "-O2 -g -Wall -Werror -mcpu=v3" -target bpfel -type event_hdr probe probe.c
