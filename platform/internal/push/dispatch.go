package push

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

	"github.com/govapp/govapp/platform/internal/db"
)

// Sender delivers claimed deliveries of one device kind and says what became of each;
// outs[i] belongs to ds[i]. Senders own their concurrency and keep one client per
// credential (one HTTP/2 connection pool per APNs key).
type Sender interface {
	Send(ctx context.Context, ds []*Delivery) []Outcome
}

// ChannelLimits tune one device kind's sender.
type ChannelLimits struct {
	// Rate is the most deliveries per second (default 5000); a provider's 429 halves it,
	// clean batches win it back.
	Rate float64
	// Batch is how many deliveries one claim takes (default 500, FCM's batch size).
	Batch int
	// Workers is how many batches of the kind are in flight at once (default 2): while
	// one waits on the store, the other sends. Batch × Workers bounds the duplicates a
	// crash can cause.
	Workers int
}

// DispatchConfig configures a Dispatcher.
type DispatchConfig struct {
	// Senders by device kind (apns, fcm, wechat, alipay); a kind without one is not
	// claimed, so another instance that has it does the work.
	Senders map[string]Sender
	Limits  map[string]ChannelLimits
	// Poll is how often an idle dispatcher looks for work (default 500 ms).
	Poll time.Duration
	// Owner names this worker in leases (default random).
	Owner string
	Log   *slog.Logger
}

// Dispatcher runs the outbox: it expands due notices and drives one loop per sender.
type Dispatcher struct {
	svc   *Service
	cfg   DispatchConfig
	owner string
	log   *slog.Logger

	mu      sync.Mutex
	notices map[string]*Notice // cache of notices being sent; they do not change but for state
}

// NewDispatcher builds a dispatcher over svc's outbox.
func (s *Service) NewDispatcher(cfg DispatchConfig) *Dispatcher {
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	owner := cfg.Owner
	if owner == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		owner = "w_" + hex.EncodeToString(b[:])
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{svc: s, cfg: cfg, owner: owner, log: log, notices: map[string]*Notice{}}
}

// Run works until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for kind, snd := range d.cfg.Senders {
		ch := d.newChannel(kind)
		for range ch.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.channelLoop(ctx, ch, snd)
			}()
		}
	}
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		if err := d.Tick(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("push: dispatcher tick", "err", err)
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
		}
	}
}

// Tick expands due notices and closes finished ones.
func (d *Dispatcher) Tick(ctx context.Context) error {
	now := db.Now()
	due, err := d.svc.dueNotices(ctx, now)
	if err != nil {
		return err
	}
	for _, n := range due {
		if _, err := d.svc.expand(ctx, n, now); err != nil {
			return err
		}
	}
	return d.svc.finish(ctx, now)
}

// channel is the pace of one device kind: a rate limiter that backs off on throttling
// and a circuit breaker that stops hammering a provider that is down.
type channel struct {
	kind    string
	limiter *rate.Limiter
	max     rate.Limit
	batch   int
	workers int
	breaker *gobreaker.CircuitBreaker[struct{}]
}

var errUnhealthy = errors.New("push: provider failing")

func (d *Dispatcher) newChannel(kind string) *channel {
	l := d.cfg.Limits[kind]
	if l.Rate <= 0 {
		l.Rate = 5000
	}
	if l.Batch <= 0 {
		l.Batch = 500
	}
	if l.Workers <= 0 {
		l.Workers = 2
	}
	return &channel{
		kind:    kind,
		limiter: rate.NewLimiter(rate.Limit(l.Rate), l.Batch),
		max:     rate.Limit(l.Rate),
		batch:   l.Batch,
		workers: l.Workers,
		breaker: gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
			Name:    "push-" + kind,
			Timeout: 10 * time.Second, // open → half-open: one probing batch
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= 5
			},
		}),
	}
}

func (d *Dispatcher) channelLoop(ctx context.Context, ch *channel, snd Sender) {
	kind := ch.kind
	for ctx.Err() == nil {
		n, err := d.drainOnce(ctx, ch, snd)
		if err != nil && ctx.Err() == nil && !errors.Is(err, gobreaker.ErrOpenState) {
			d.log.Warn("push: deliver", "kind", kind, "err", err)
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(d.cfg.Poll):
			}
		}
	}
}

// drainOnce claims and sends one batch of kind; it returns how many it claimed.
func (d *Dispatcher) drainOnce(ctx context.Context, ch *channel, snd Sender) (int, error) {
	if ch.breaker.State() == gobreaker.StateOpen {
		return 0, gobreaker.ErrOpenState
	}
	// Take no more than the limiter can afford in about a second.
	size := min(ch.batch, max(int(ch.limiter.Limit()), 1))
	ds, err := d.svc.claim(ctx, ch.kind, d.owner, size, db.Now())
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	if err := ch.limiter.WaitN(ctx, min(len(ds), ch.limiter.Burst())); err != nil {
		return len(ds), err // the lease returns the rows
	}
	outs := make([]Outcome, len(ds))
	var live []*Delivery
	var liveIdx []int
	now := db.Now()
	for i, dl := range ds {
		n, err := d.notice(ctx, dl.NoticeID)
		if err != nil {
			return len(ds), err
		}
		dl.Notice = n
		switch {
		case n.State == StateCancelled:
			outs[i] = Outcome{Kind: Fail, Reason: "cancelled"}
		case !now.Before(n.ExpiresAtT):
			outs[i] = Outcome{Kind: Fail, Reason: "expired"}
		case dl.Device.Unregistered != nil:
			outs[i] = Outcome{Kind: Fallback, Reason: "unregistered"}
		default:
			live = append(live, dl)
			liveIdx = append(liveIdx, i)
		}
	}
	if len(live) > 0 {
		_, err := ch.breaker.Execute(func() (struct{}, error) {
			res := snd.Send(ctx, live)
			transient, throttled := 0, time.Duration(-1)
			for j, o := range res {
				outs[liveIdx[j]] = o
				if o.Kind == Retry && !o.Throttled {
					transient++
				}
				if o.Throttled {
					throttled = max(throttled, o.RetryAfter)
				}
			}
			ch.pace(throttled)
			if transient*2 > len(res) {
				return struct{}{}, errUnhealthy
			}
			return struct{}{}, nil
		})
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			for _, j := range liveIdx {
				outs[j] = Outcome{Kind: Retry, Reason: "circuit_open"}
			}
		}
	}
	if err := d.svc.complete(context.WithoutCancel(ctx), d.owner, ds, outs, db.Now()); err != nil {
		return len(ds), err
	}
	return len(ds), nil
}

// pace halves the rate after a throttled batch (and waits out Retry-After) and wins back
// a tenth of the ceiling after a clean one.
func (ch *channel) pace(throttled time.Duration) {
	cur := ch.limiter.Limit()
	if throttled >= 0 {
		ch.limiter.SetLimit(max(cur/2, 10))
		if throttled > 0 {
			time.Sleep(min(throttled, 30*time.Second))
		}
		return
	}
	if cur < ch.max {
		ch.limiter.SetLimit(min(cur+ch.max/10, ch.max))
	}
}

func (d *Dispatcher) notice(ctx context.Context, id string) (*Notice, error) {
	d.mu.Lock()
	n, ok := d.notices[id]
	d.mu.Unlock()
	if ok && n.State != StateCancelled && time.Since(n.cachedAt) < 5*time.Second {
		return n, nil
	}
	fresh, err := d.svc.load(ctx, id)
	if err != nil {
		return nil, err
	}
	fresh.cachedAt = time.Now()
	fresh.apns = apnsPayload(fresh.ID, &fresh.NoticeCreate)
	d.mu.Lock()
	if len(d.notices) > 256 { // finished notices stop being asked for: forget them
		for k, v := range d.notices {
			if time.Since(v.cachedAt) > time.Minute {
				delete(d.notices, k)
			}
		}
	}
	d.notices[id] = &fresh
	d.mu.Unlock()
	return &fresh, nil
}

// Drain runs Tick and every sender until nothing is due, for tests and the CLI's
// one-shot mode; deliveries waiting for a retry time later than now are left.
func (d *Dispatcher) Drain(ctx context.Context) error {
	chans := map[string]*channel{}
	for {
		if err := d.Tick(ctx); err != nil {
			return err
		}
		total := 0
		for kind, snd := range d.cfg.Senders {
			ch, ok := chans[kind]
			if !ok {
				ch = d.newChannel(kind)
				chans[kind] = ch
			}
			n, err := d.drainOnce(ctx, ch, snd)
			if err != nil && !errors.Is(err, gobreaker.ErrOpenState) {
				return err
			}
			total += n
		}
		if total == 0 {
			return d.Tick(ctx)
		}
	}
}
