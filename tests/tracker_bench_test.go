package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hoard/tracker"
)

// BenchmarkTrackerLatency measures the time from a rename's return to its
// event arriving from the helper through the Client (the rename itself, which
// on ext4 can stall on the journal, is not counted).
func BenchmarkTrackerLatency(b *testing.B) {
	root := trackedDir(b)
	cl := startTracker(b, root)
	a, c := filepath.Join(root, "a"), filepath.Join(root, "c")
	touch(b, a)
	var lat []time.Duration
	for b.Loop() {
		if err := os.Rename(a, c); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		nextEvent(b, cl, renameOf(a, c))
		lat = append(lat, time.Since(start))
		a, c = c, a
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
}

// BenchmarkTrackerThroughput renames at 20,000/s for 10 s inside a root and
// reports lost events, the helper's CPU use and its resident memory. Each
// iteration takes the full 10 s; run it with -benchtime=1x.
func BenchmarkTrackerThroughput(b *testing.B) {
	const rate, dur, files = 20000, 10 * time.Second, 100
	// On tmpfs: ext4's journal stalls renames for up to ~0.7 s here, which
	// would measure the disk, not the tracker.
	root := trackedDir(b)
	if err := unix.Mount("tmpfs", root, "tmpfs", 0, "size=16m,mode=0755"); err != nil {
		b.Fatalf("mount tmpfs: %v", err)
	}
	b.Cleanup(func() { unix.Unmount(root, unix.MNT_DETACH) })
	cl := startTracker(b, root)
	names := make([][2]string, files)
	for i := range names {
		names[i] = [2]string{filepath.Join(root, fmt.Sprintf("f%03d", i)), filepath.Join(root, fmt.Sprintf("g%03d", i))}
		touch(b, names[i][0])
	}
	for b.Loop() {
		got := make(chan [2]uint64, 1) // renames seen, lost
		stop := make(chan struct{})
		go func() {
			var seen, lost uint64
			for {
				select {
				case ev, ok := <-cl.Events():
					if !ok {
						got <- [2]uint64{seen, lost}
						return
					}
					switch ev.Type {
					case tracker.TypeRename:
						seen++
					case tracker.TypeLost:
						lost += ev.Count
					}
				case <-stop:
					got <- [2]uint64{seen, lost}
					return
				}
			}
		}()
		cpu0 := procCPU(b, cl.Pid())
		start := time.Now()
		done := 0
		for total := int(dur.Seconds() * rate); done < total; {
			elapsed := time.Since(start)
			for want := min(total, int(elapsed.Seconds()*rate)); done < want; done++ {
				n := names[done%files]
				from, to := n[(done/files)%2], n[1-(done/files)%2]
				if err := os.Rename(from, to); err != nil {
					b.Fatal(err)
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
		wall := time.Since(start)
		b.Logf("%d renames in %v", done, wall)
		// Let the last events through, then count.
		time.Sleep(200 * time.Millisecond)
		cpu := procCPU(b, cl.Pid()) - cpu0
		close(stop)
		res := <-got
		rss, hwm := procRSS(b, cl.Pid())
		b.ReportMetric(float64(done)/wall.Seconds(), "renames/s")
		b.ReportMetric(float64(res[0]), "events")
		b.ReportMetric(float64(res[1]), "lost")
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "helper-cpu-%")
		b.ReportMetric(float64(rss)/1024, "helper-rss-MB")
		b.ReportMetric(float64(hwm)/1024, "helper-peak-rss-MB")
		if res[1] != 0 || res[0] != uint64(done) {
			b.Errorf("%d renames, %d events, %d lost", done, res[0], res[1])
		}
	}
}

// procCPU is the user+system time of process pid (clock ticks of 10 ms).
func procCPU(b testing.TB, pid int) time.Duration {
	b.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the parenthesised comm: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// procRSS returns VmRSS and VmHWM of pid in KiB.
func procRSS(b testing.TB, pid int) (rss, hwm uint64) {
	b.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, ":")
		n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

// BenchmarkTrackerOutsideChurn: another process creates, renames and unlinks a file
// outside the roots as fast as it can for 5 s; reports the helper's CPU use and how
// many events reached the client (none should: the kernel drops them). Run it with
// -benchtime=1x.
func BenchmarkTrackerOutsideChurn(b *testing.B) {
	root := trackedDir(b)
	outside := b.TempDir()
	cl := startTracker(b, root)
	for b.Loop() {
		churn := exec.Command("python3", "-c", `
import os, sys, time
p = os.path.join(sys.argv[1], "n"); end = time.time() + 5; n = 0
while time.time() < end:
    open(p, "w").close(); os.rename(p, p + "x"); os.unlink(p + "x"); n += 1
print(n)
`, outside)
		cpu0 := procCPU(b, cl.Pid())
		start := time.Now()
		out, err := churn.Output()
		if err != nil {
			b.Fatalf("churn: %v", err)
		}
		wall := time.Since(start)
		time.Sleep(200 * time.Millisecond)
		cpu := procCPU(b, cl.Pid()) - cpu0
		events := 0
		for drained := false; !drained; {
			select {
			case <-cl.Events():
				events++
			default:
				drained = true
			}
		}
		loops, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		b.ReportMetric(float64(2*loops)/wall.Seconds(), "outside-events/s")
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "helper-cpu-%")
		b.ReportMetric(float64(events), "events-reported")
	}
}
