package stats

import (
	"context"
	"errors"
	"sync"
	"time"
)

// writer buffers accepted events in memory and writes them in one transaction every
// FlushInterval, or sooner when BufferEvents are waiting. What a crash loses is bounded by
// that: the events accepted since the last committed flush (≤ FlushInterval plus one
// flush's duration, ≤ BufferEvents events unless writes are failing). A committed flush is
// never lost. While writes fail, events stay buffered and are retried; past four buffers'
// worth Ingest waits for a flush (up to busyWait), then answers ErrBusy so the phones keep
// their queues.
type writer struct {
	s       *Store
	mu      sync.Mutex
	buf     []entry
	recent  *recentIDs // buffered, being written or written lately: resends answer "duplicate"
	closed  bool
	flushed chan struct{} // closed and replaced after every flush attempt

	flushMu sync.Mutex // one flush at a time
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

func newWriter(s *Store) *writer {
	w := &writer{s: s, recent: newRecentIDs(max(s.cfg.RecentIDs, 8*s.cfg.BufferEvents+MaxBatchEvents)), flushed: make(chan struct{}), kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	go w.loop()
	return w
}

var errClosed = errors.New("stats: the store is closed")

// busyWait is how long Ingest waits for room in a full buffer before ErrBusy.
const busyWait = 2 * time.Second

// enqueue buffers the entries not seen lately, marking which it took.
func (w *writer) enqueue(ctx context.Context, es []entry, accepted []bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var deadline <-chan time.Time
	for len(w.buf)+len(es) > 4*w.s.cfg.BufferEvents && !w.closed {
		if deadline == nil {
			t := time.NewTimer(busyWait)
			defer t.Stop()
			deadline = t.C
		}
		w.kickLocked()
		ch := w.flushed
		w.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			w.mu.Lock()
			return ErrBusy
		case <-ctx.Done():
			w.mu.Lock()
			return ctx.Err()
		}
		w.mu.Lock()
	}
	if w.closed {
		return errClosed
	}
	for i := range es {
		if w.recent.has(es[i].k) {
			continue
		}
		w.recent.add(es[i].k)
		w.buf = append(w.buf, es[i])
		accepted[i] = true
	}
	if len(w.buf) >= w.s.cfg.BufferEvents {
		w.kickLocked()
	}
	return nil
}

func (w *writer) kickLocked() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *writer) loop() {
	defer close(w.stopped)
	t := time.NewTicker(w.s.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		case <-w.kick:
		}
		if err := w.flush(context.Background()); err != nil {
			w.s.cfg.Logger.Error("stats: write buffered events; keeping them for the next try", "err", err)
		}
	}
}

// flush writes what is buffered; on failure the events go back to the buffer's front.
func (w *writer) flush(ctx context.Context) error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	for {
		w.mu.Lock()
		n := min(len(w.buf), 4*w.s.cfg.BufferEvents)
		batch := w.buf[:n:n]
		w.buf = w.buf[n:]
		w.mu.Unlock()
		if len(batch) == 0 {
			return nil
		}
		err := w.s.write(ctx, batch)
		w.mu.Lock()
		close(w.flushed)
		w.flushed = make(chan struct{})
		if err != nil {
			w.buf = append(batch, w.buf...)
			w.mu.Unlock()
			return err
		}
		more := len(w.buf) >= w.s.cfg.BufferEvents
		w.mu.Unlock()
		if !more {
			return nil
		}
	}
}

func (w *writer) stop(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	close(w.done)
	<-w.stopped
	for {
		err := w.flush(ctx)
		w.mu.Lock()
		left := len(w.buf)
		w.mu.Unlock()
		if err != nil || left == 0 {
			return err
		}
	}
}
