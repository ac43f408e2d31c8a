package thumbnail

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"hoard/library/nice"
)

// Options configure a Service. The zero value is usable.
type Options struct {
	// CacheDir is the thumbnail cache root; default DefaultCacheDir().
	CacheDir string
	// Workers is the number of concurrent generators; default runtime.NumCPU().
	Workers int
	// Nice, when above 0, runs the generators (and the video and PDF tools they
	// start) that many nice steps below the caller, so a window stays smooth
	// while thumbnails are made.
	Nice int
	// Pause, if set, is called by a worker before each request it takes; a window
	// blocks it while a frame is late, so decoding steps aside for drawing.
	Pause func(context.Context)
	// MemoryBudget caps the bytes all decoders hold at once; default 160 MiB,
	// enough for a 30-megapixel PNG or TIFF (JPEGs of any size need far less).
	// An image that would need more fails with ErrTooLarge.
	MemoryBudget int64
	// MemoryCache caps the in-memory LRU of decoded thumbnails; default 64 MiB
	// (about 250 large thumbnails).
	MemoryCache int64
	// Timeout caps one run of an external thumbnailer; default 20 s.
	Timeout time.Duration
	// Version names the failure folder, fail/hoard-<Version>; default "1".
	// Bump it when the generator improves, so old failures are retried.
	Version string
	// Logger receives a line for every failure; default discards.
	Logger *slog.Logger
}

// Service makes, caches and serves thumbnails. Its methods are safe for
// concurrent use.
type Service struct {
	cache *cache
	gen   *generator
	mem   *memCache
	log   *slog.Logger
	queue *queue
	wg    sync.WaitGroup
	pause func(context.Context) // Options.Pause

	mu       sync.Mutex
	inflight map[memKey]*flight // thumbnails being made now
}

// flight is one thumbnail being made, which later requests for the same
// file and size wait for instead of making it again.
type flight struct {
	done chan struct{}
	res  Result
	err  error
}

// NewService starts a Service and its workers; Close stops them.
func NewService(opts Options) (*Service, error) {
	if opts.CacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		opts.CacheDir = d
	}
	if abs, err := filepath.Abs(opts.CacheDir); err == nil {
		opts.CacheDir = abs
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = 160 << 20
	}
	if opts.MemoryCache <= 0 {
		opts.MemoryCache = 64 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	if opts.Version == "" {
		opts.Version = "1"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Service{
		cache: newCache(opts.CacheDir, opts.Version),
		gen:   &generator{budget: newMemBudget(opts.MemoryBudget), tools: findTools(), timeout: opts.Timeout},
		mem:   newMemCache(opts.MemoryCache),
		log:   opts.Logger,
		queue: newQueue(),
		pause: opts.Pause,

		inflight: map[memKey]*flight{},
	}
	for range opts.Workers {
		s.wg.Add(1)
		go func() {
			nice.Thread(opts.Nice)
			s.work()
		}()
	}
	return s, nil
}

// Close cancels queued and running requests (their callbacks are not called)
// and waits for the workers to stop.
func (s *Service) Close() {
	s.queue.close()
	s.wg.Wait()
}

// Lookup returns the decoded thumbnail of path at size if it is in memory.
// It never touches the disk, so the grid can call it while drawing.
func (s *Service) Lookup(path string, size Size) (image.Image, bool) {
	path, err := absPath(path)
	if err != nil {
		return nil, false
	}
	e, ok := s.mem.get(memKey{path, size})
	return e.img, ok
}

// Invalidate drops the in-memory thumbnails of path, for when the index
// learns the file changed. (The disk cache checks MTime and Size itself.)
func (s *Service) Invalidate(path string) {
	if path, err := absPath(path); err == nil {
		s.mem.forget(path)
	}
}

// Generate returns the thumbnail of path at size, from memory, from the disk
// cache (made by Hoard or another program) or made now and stored. A file
// that cannot be thumbnailed is not an error: the Result says to show an
// icon or a placeholder. The error is for a file that cannot be read at
// all, an invalid size, or a cancelled ctx.
func (s *Service) Generate(ctx context.Context, path string, size Size) (Result, error) {
	if size.dir() == "" {
		return Result{}, fmt.Errorf("thumbnail size %d: not a standard size", size)
	}
	path, err := absPath(path)
	if err != nil {
		return Result{}, fmt.Errorf("thumbnail %s: %w", path, err)
	}
	if strings.HasPrefix(path, s.cache.root+string(filepath.Separator)) {
		// The standard: never thumbnail the thumbnails.
		return Result{Kind: KindIcon, MIME: "image/png", Reason: "file is in the thumbnail cache", Err: ErrUnsupported}, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return Result{}, fmt.Errorf("thumbnail: %w", err)
	}
	if !fi.Mode().IsRegular() {
		mime := "inode/x-special"
		if fi.IsDir() {
			mime = "inode/directory"
		}
		return Result{Kind: KindIcon, MIME: mime, Reason: "not a regular file", Err: ErrUnsupported}, nil
	}
	st := stampOf(fi)
	key := memKey{path, size}
	if e, ok := s.mem.get(key); ok && e.stamp == st {
		return Result{Kind: KindThumbnail, Image: e.img, MIME: e.mime, Origin: FromMemory}, nil
	}
	uri := FileURI(path)
	img, meta, err := s.cache.load(uri, st, size)
	if err != nil {
		s.log.Warn("thumbnail cache read failed", "path", path, "err", err)
	}
	if img != nil {
		s.mem.put(key, img, meta.MIME, st)
		return Result{Kind: KindThumbnail, Image: img, MIME: meta.MIME, Origin: FromCache}, nil
	}
	if res, ok := s.fromBigger(path, uri, st, size); ok {
		return res, nil
	}
	if reason, mime, failed := s.cache.failure(uri, st); failed {
		return Result{Kind: KindFailed, MIME: mime, Reason: reason, Err: ErrFailedBefore}, nil
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return s.makeOnce(ctx, path, uri, st, size)
}

// fromBigger serves size by scaling down a valid cached thumbnail of a
// bigger size, as the standard allows, and caches the result.
func (s *Service) fromBigger(path, uri string, st stamp, size Size) (Result, bool) {
	for _, bigger := range allSizes {
		if bigger <= size {
			continue
		}
		img, meta, err := s.cache.load(uri, st, bigger)
		if err != nil || img == nil {
			continue
		}
		thumb := scaleDown(img, size)
		if err := s.cache.store(uri, st, meta.MIME, size, thumb); err != nil {
			s.log.Warn("thumbnail not saved", "path", path, "err", err)
		}
		s.mem.put(memKey{path, size}, thumb, meta.MIME, st)
		return Result{Kind: KindThumbnail, Image: thumb, MIME: meta.MIME, Origin: FromCache}, true
	}
	return Result{}, false
}

// makeOnce makes the thumbnail unless another goroutine is already making
// it, in which case it waits for that result. If the maker was cancelled,
// a waiter whose own ctx is still live tries again itself.
func (s *Service) makeOnce(ctx context.Context, path, uri string, st stamp, size Size) (Result, error) {
	key := memKey{path, size}
	for {
		s.mu.Lock()
		if f, ok := s.inflight[key]; ok {
			s.mu.Unlock()
			select {
			case <-f.done:
				if isCancel(f.err) && ctx.Err() == nil {
					continue
				}
				return f.res, f.err
			case <-ctx.Done():
				return Result{}, ctx.Err()
			}
		}
		f := &flight{done: make(chan struct{})}
		s.inflight[key] = f
		s.mu.Unlock()

		f.res, f.err = s.make(ctx, path, uri, st, size)
		s.mu.Lock()
		delete(s.inflight, key)
		s.mu.Unlock()
		close(f.done)
		return f.res, f.err
	}
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// make generates, stores and classifies a new thumbnail.
func (s *Service) make(ctx context.Context, path, uri string, st stamp, size Size) (Result, error) {
	mime := detectMIME(path)
	thumb, err := s.gen.make(ctx, path, mime, size)
	if err == nil {
		if err := s.cache.store(uri, st, mime, size, thumb); err != nil {
			s.log.Warn("thumbnail not saved", "path", path, "err", err)
		}
		s.mem.put(memKey{path, size}, thumb, mime, st)
		return Result{Kind: KindThumbnail, Image: thumb, MIME: mime, Origin: Generated}, nil
	}
	if ctx.Err() != nil && !errors.Is(err, ErrTimeout) {
		return Result{}, ctx.Err()
	}
	res := Result{Kind: KindFailed, MIME: mime, Reason: strings.ReplaceAll(err.Error(), "\n", "; "), Err: err}
	if errors.Is(err, ErrUnsupported) || errors.Is(err, ErrNotInstalled) {
		res.Kind = KindIcon
		return res, nil
	}
	s.log.Info("thumbnail failed", "path", path, "mime", mime, "reason", res.Reason)
	if err := s.cache.storeFailure(uri, st, mime, res.Reason); err != nil {
		s.log.Warn("thumbnail failure not recorded", "path", path, "err", err)
	}
	return res, nil
}
