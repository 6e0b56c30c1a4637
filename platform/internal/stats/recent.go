package stats

import "hash/maphash"

// recentIDs remembers the events accepted lately — buffered, being written, or written by
// this process — so a resend answers "duplicate" without a database round trip. It holds
// two generations of up to limit keys each; when the current one is full the older one is
// dropped, so it remembers between limit and 2 × limit of the latest events. An event
// resent after it was forgotten (or after a restart) is answered "accepted", but the raw
// table's primary key still keeps it from being stored or counted twice: the database
// stays the source of truth.
//
// Keys are 128 bits of two keyed hashes of (app, id) with seeds made at start, so nobody
// can make two ids collide on purpose and an accidental collision (which would answer
// "duplicate" for a new event) has odds of about n / 2^128.
type recentIDs struct {
	seeds    [2]maphash.Seed
	cur, old map[idKey]struct{}
	limit    int
}

// idKey is the hashed (app, event id) of an event.
type idKey [2]uint64

func newRecentIDs(limit int) *recentIDs {
	return &recentIDs{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, cur: make(map[idKey]struct{}, min(limit, 1<<16)), limit: limit}
}

// key hashes an event's app and id; it needs no lock.
func (r *recentIDs) key(app, id string) idKey {
	var k idKey
	var h maphash.Hash
	for i, seed := range r.seeds {
		h.SetSeed(seed)
		h.WriteString(app)
		h.WriteByte(0)
		h.WriteString(id)
		k[i] = h.Sum64()
	}
	return k
}

// keyBytes is key of the bytes of app and id.
func (r *recentIDs) keyBytes(app, id []byte) idKey {
	var k idKey
	var h maphash.Hash
	for i, seed := range r.seeds {
		h.SetSeed(seed)
		h.Write(app)
		h.WriteByte(0)
		h.Write(id)
		k[i] = h.Sum64()
	}
	return k
}

func (r *recentIDs) has(k idKey) bool {
	if _, ok := r.cur[k]; ok {
		return true
	}
	_, ok := r.old[k]
	return ok
}

func (r *recentIDs) add(k idKey) {
	if len(r.cur) >= r.limit {
		r.old, r.cur = r.cur, make(map[idKey]struct{}, len(r.cur))
	}
	r.cur[k] = struct{}{}
}
