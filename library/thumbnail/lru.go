package thumbnail

import (
	"container/list"
	"image"
	"sync"
)

// memKey names one decoded thumbnail in memory.
type memKey struct {
	path string
	size Size
}

type memEntry struct {
	key   memKey
	img   image.Image
	mime  string
	stamp stamp
	bytes int64
}

// memCache is a least-recently-used set of decoded thumbnails bounded by the
// bytes of their pixels, so the grid redraws without touching the disk.
type memCache struct {
	mu    sync.Mutex
	max   int64
	used  int64
	order *list.List // front = most recently used
	items map[memKey]*list.Element
}

func newMemCache(maxBytes int64) *memCache {
	return &memCache{max: maxBytes, order: list.New(), items: map[memKey]*list.Element{}}
}

func imageBytes(img image.Image) int64 {
	b := img.Bounds()
	return int64(b.Dx())*int64(b.Dy())*4 + 128
}

func (c *memCache) get(k memKey) (memEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return memEntry{}, false
	}
	c.order.MoveToFront(e)
	return *e.Value.(*memEntry), true
}

func (c *memCache) put(k memKey, img image.Image, mime string, st stamp) {
	n := imageBytes(img)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.max {
		return
	}
	if e, ok := c.items[k]; ok {
		c.removeLocked(e)
	}
	c.items[k] = c.order.PushFront(&memEntry{key: k, img: img, mime: mime, stamp: st, bytes: n})
	c.used += n
	for c.used > c.max {
		c.removeLocked(c.order.Back())
	}
}

func (c *memCache) removeLocked(e *list.Element) {
	ent := e.Value.(*memEntry)
	c.order.Remove(e)
	delete(c.items, ent.key)
	c.used -= ent.bytes
}

// forget drops every size of path.
func (c *memCache) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range allSizes {
		if e, ok := c.items[memKey{path, s}]; ok {
			c.removeLocked(e)
		}
	}
}

// rename moves every size of oldPath to newPath.
func (c *memCache) rename(oldPath, newPath string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range allSizes {
		if e, ok := c.items[memKey{newPath, s}]; ok {
			c.removeLocked(e)
		}
		if e, ok := c.items[memKey{oldPath, s}]; ok {
			ent := e.Value.(*memEntry)
			delete(c.items, ent.key)
			ent.key = memKey{newPath, s}
			c.items[ent.key] = e
		}
	}
}

// swap exchanges every size of a and b.
func (c *memCache) swap(a, b string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range allSizes {
		ea, okA := c.items[memKey{a, s}]
		eb, okB := c.items[memKey{b, s}]
		delete(c.items, memKey{a, s})
		delete(c.items, memKey{b, s})
		if okA {
			ent := ea.Value.(*memEntry)
			ent.key = memKey{b, s}
			c.items[ent.key] = ea
		}
		if okB {
			ent := eb.Value.(*memEntry)
			ent.key = memKey{a, s}
			c.items[ent.key] = eb
		}
	}
}

var allSizes = []Size{Normal, Large, XLarge, XXLarge}
