package thumbnail

import (
	"container/heap"
	"context"
	"sync"
)

// Ticket is one queued request; Cancel it when its cell scrolls away.
type Ticket struct {
	path     string
	size     Size
	priority int
	seq      uint64
	done     func(Result, error)
	index    int // in the heap; -1 once taken or removed
	ctx      context.Context
	cancel   context.CancelFunc
	q        *queue
}

// Cancel drops the request if it is still queued, or cancels its ctx if a
// worker is on it; its callback is then not called. A request that was just
// finishing may still call back once, so a callback should check that its
// cell still wants the image.
func (t *Ticket) Cancel() {
	t.cancel()
	t.q.remove(t)
}

// SetPriority changes the priority of a request still waiting for a worker,
// e.g. when its cell scrolls back into view.
func (t *Ticket) SetPriority(priority int) {
	t.q.mu.Lock()
	defer t.q.mu.Unlock()
	t.priority = priority
	if t.index >= 0 && t.index < len(t.q.items) && t.q.items[t.index] == t {
		heap.Fix(&t.q.items, t.index)
	}
}

// queue is a priority queue of tickets: higher priority first, then oldest.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  ticketHeap
	seq    uint64
	closed bool
	ctx    context.Context
	stop   context.CancelFunc
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	q.ctx, q.stop = context.WithCancel(context.Background())
	return q
}

func (q *queue) push(t *Ticket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		t.cancel()
		return
	}
	q.seq++
	t.seq = q.seq
	heap.Push(&q.items, t)
	q.cond.Signal()
}

// pop waits for the most urgent ticket; nil once the queue is closed.
func (q *queue) pop() *Ticket {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil
	}
	return heap.Pop(&q.items).(*Ticket)
}

func (q *queue) remove(t *Ticket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t.index >= 0 && t.index < len(q.items) && q.items[t.index] == t {
		heap.Remove(&q.items, t.index)
	}
}

func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.stop()
	for _, t := range q.items {
		t.cancel()
	}
	q.items = nil
	q.cond.Broadcast()
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

type ticketHeap []*Ticket

func (h ticketHeap) Len() int { return len(h) }
func (h ticketHeap) Less(i, j int) bool {
	if h[i].priority != h[j].priority {
		return h[i].priority > h[j].priority
	}
	return h[i].seq < h[j].seq
}
func (h ticketHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *ticketHeap) Push(x any) {
	t := x.(*Ticket)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *ticketHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
