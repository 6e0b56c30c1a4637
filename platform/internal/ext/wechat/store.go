package wechat

import (
	"context"
	"sync"
	"time"
)

// TokenStore is the cache of access_tokens and jsapi_tickets that all
// platform instances share. It has to be shared: WeChat invalidates an
// account's previous access_token (after a five-minute overlap) whenever
// anyone fetches a new one, so instances caching on their own would keep
// knocking each other's tokens out. The platform backs it with its
// database; MemoryTokenStore serves a single process and tests.
//
// Keys look like "wechat:<appid>:access_token" and
// "wechat:<appid>:jsapi_ticket". Values are credentials: store them like
// secrets (encrypted at rest) and never log them.
type TokenStore interface {
	// Get returns the value stored under key and when it expires; ok is
	// false when nothing is stored. An expired value may be returned; the
	// client checks expiresAt itself.
	Get(ctx context.Context, key string) (value string, expiresAt time.Time, ok bool, err error)
	// Put stores value under key until expiresAt, replacing what was there.
	Put(ctx context.Context, key, value string, expiresAt time.Time) error
	// Lock runs fn while holding an exclusive lock on key across every
	// instance sharing the store, so one instance refreshes a token while
	// the others wait and then read its result. fn calls Get and Put (for
	// the same key) and may Lock a different key (the ticket refresh locks
	// the token), so a database implementation must not hold a connection
	// those calls need; a lease row or an advisory lock on its own
	// connection works. Lock returns fn's error, or ctx.Err() when ctx ends
	// while waiting.
	Lock(ctx context.Context, key string, fn func() error) error
}

// MemoryTokenStore is a TokenStore for one process. Its zero value is
// ready.
type MemoryTokenStore struct {
	mu    sync.Mutex
	vals  map[string]memoryEntry
	locks map[string]chan struct{}
}

// memoryEntry is one stored value.
type memoryEntry struct {
	value     string
	expiresAt time.Time
}

var _ TokenStore = (*MemoryTokenStore)(nil)

// Get implements TokenStore.
func (m *MemoryTokenStore) Get(_ context.Context, key string) (string, time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.vals[key]
	return e.value, e.expiresAt, ok, nil
}

// Put implements TokenStore.
func (m *MemoryTokenStore) Put(_ context.Context, key, value string, expiresAt time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vals == nil {
		m.vals = map[string]memoryEntry{}
	}
	m.vals[key] = memoryEntry{value: value, expiresAt: expiresAt}
	return nil
}

// Lock implements TokenStore with one channel per key, so waiting honours
// ctx.
func (m *MemoryTokenStore) Lock(ctx context.Context, key string, fn func() error) error {
	m.mu.Lock()
	if m.locks == nil {
		m.locks = map[string]chan struct{}{}
	}
	ch, ok := m.locks[key]
	if !ok {
		ch = make(chan struct{}, 1)
		m.locks[key] = ch
	}
	m.mu.Unlock()
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-ch }()
	return fn()
}
