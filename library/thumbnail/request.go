package thumbnail

import "context"

// Request queues path for thumbnailing at size. Higher priority runs first
// (use it for the cells on screen now); equal priorities run in request
// order. done is called once, on a worker goroutine, with Generate's result
// (wrap GUI updates in fyne.Do); it is not called if the ticket is cancelled
// before the work finishes or the service closes.
func (s *Service) Request(path string, size Size, priority int, done func(Result, error)) *Ticket {
	ctx, cancel := context.WithCancel(s.queue.ctx)
	t := &Ticket{path: path, size: size, priority: priority, done: done, ctx: ctx, cancel: cancel, q: s.queue, index: -1}
	s.queue.push(t)
	return t
}

// Pending returns how many requests wait for a worker.
func (s *Service) Pending() int {
	return s.queue.len()
}

func (s *Service) work() {
	defer s.wg.Done()
	for {
		t := s.queue.pop()
		if t == nil {
			return
		}
		if t.ctx.Err() != nil {
			continue
		}
		if s.pause != nil {
			s.pause(t.ctx)
		}
		res, err := s.Generate(t.ctx, t.path, t.size)
		if t.ctx.Err() == nil && t.done != nil {
			t.done(res, err)
		}
		t.cancel()
	}
}
