package stats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"
)

// A cell is one (region, channel) pair: regionCode*4 + channel index, region 0 = unknown.
// A rollup row keeps its users' cells, so a report can filter by region and channel exactly
// without one bitmap per (day, app, region, channel) — that would be millions of tiny rows.
func cellOf(region string, ch int) uint32 {
	code, _ := strconv.Atoi(region) // "" (unknown) is 0
	return uint32(code)*4 + uint32(ch)
}

func cellRegion(c uint32) string {
	if c/4 == 0 {
		return ""
	}
	return fmt.Sprintf("%06d", c/4)
}

func cellChannel(c uint32) string { return Channels[c%4] }

// Counters are summed event counts.
type Counters struct {
	Events     int64 `json:"events"`
	Launches   int64 `json:"launches"`
	PageViews  int64 `json:"page_views"`
	JSAPICalls int64 `json:"jsapi_calls"`
	Errors     int64 `json:"errors"`
	Updates    int64 `json:"updates"`
	Notices    int64 `json:"notices"`
}

func (c *Counters) count(name string) {
	c.Events++
	switch name {
	case EventLaunch:
		c.Launches++
	case EventPageView:
		c.PageViews++
	case EventJSAPICall:
		c.JSAPICalls++
	case EventError:
		c.Errors++
	case EventUpdate:
		c.Updates++
	case EventNoticeOpen:
		c.Notices++
	}
}

func (c *Counters) add(o Counters) {
	c.Events += o.Events
	c.Launches += o.Launches
	c.PageViews += o.PageViews
	c.JSAPICalls += o.JSAPICalls
	c.Errors += o.Errors
	c.Updates += o.Updates
	c.Notices += o.Notices
}

func (c *Counters) fields() []*int64 {
	return []*int64{&c.Events, &c.Launches, &c.PageViews, &c.JSAPICalls, &c.Errors, &c.Updates, &c.Notices}
}

type cellCount struct {
	cell uint32
	c    Counters
}

type pair struct{ uid, cell uint32 }

// rollup is one row of a rollup table: the users of a (day, app) — or (day, app, release) —
// as a roaring bitmap, each user's cell, and counters per cell. Stored as:
//
//	version byte 1
//	uvarint len, roaring bytes (users)
//	uvarint n, n × uvarint index into counts (the cell of each user, in bitmap order)
//	uvarint m, m × (uvarint uid, uvarint index): users seen in more than one cell
//	uvarint k, k × (uvarint cell, 7 × uvarint counters), sorted by cell
type rollup struct {
	users  *roaring.Bitmap
	idx    []uint32
	extra  []pair // cell holds an index into counts here
	counts []cellCount
}

const rollupVersion = 1

var errCorrupt = errors.New("stats: corrupt rollup row")

func decodeRollup(b []byte) (*rollup, error) {
	if len(b) < 1 || b[0] != rollupVersion {
		return nil, errCorrupt
	}
	p := 1
	next := func() uint64 {
		v, n := binary.Uvarint(b[p:])
		if n <= 0 {
			p = len(b) + 1
			return 0
		}
		p += n
		return v
	}
	l := int(next())
	if p+l > len(b) {
		return nil, errCorrupt
	}
	r := &rollup{users: roaring.New()}
	if _, err := r.users.FromBuffer(b[p : p+l]); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	p += l
	n := int(next())
	if n < 0 || n > len(b) {
		return nil, errCorrupt
	}
	r.idx = make([]uint32, n)
	for i := range r.idx {
		r.idx[i] = uint32(next())
	}
	m := int(next())
	if m < 0 || m > len(b) {
		return nil, errCorrupt
	}
	r.extra = make([]pair, m)
	for i := range r.extra {
		r.extra[i] = pair{uint32(next()), uint32(next())}
	}
	k := int(next())
	if k < 0 || k > len(b) {
		return nil, errCorrupt
	}
	r.counts = make([]cellCount, k)
	for i := range r.counts {
		r.counts[i].cell = uint32(next())
		for _, f := range r.counts[i].c.fields() {
			*f = int64(next())
		}
	}
	if p > len(b) || uint64(n) != r.users.GetCardinality() {
		return nil, errCorrupt
	}
	return r, nil
}

func (r *rollup) encode() ([]byte, error) {
	r.users.RunOptimize()
	rb, err := r.users.ToBytes()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 1+len(rb)+2*len(r.idx)+16*len(r.counts)+16)
	out = append(out, rollupVersion)
	out = binary.AppendUvarint(out, uint64(len(rb)))
	out = append(out, rb...)
	out = binary.AppendUvarint(out, uint64(len(r.idx)))
	for _, v := range r.idx {
		out = binary.AppendUvarint(out, uint64(v))
	}
	out = binary.AppendUvarint(out, uint64(len(r.extra)))
	for _, e := range r.extra {
		out = binary.AppendUvarint(out, uint64(e.uid))
		out = binary.AppendUvarint(out, uint64(e.cell))
	}
	out = binary.AppendUvarint(out, uint64(len(r.counts)))
	for _, cc := range r.counts {
		out = binary.AppendUvarint(out, uint64(cc.cell))
		for _, f := range cc.c.fields() {
			out = binary.AppendUvarint(out, uint64(*f))
		}
	}
	return out, nil
}

// pairs lists every (uid, cell) of the row, sorted.
func (r *rollup) pairs() []pair {
	main := make([]pair, 0, len(r.idx))
	it := r.users.Iterator()
	for i := 0; it.HasNext(); i++ {
		main = append(main, pair{it.Next(), r.counts[r.idx[i]].cell})
	}
	if len(r.extra) == 0 {
		return main
	}
	extra := make([]pair, len(r.extra))
	for i, e := range r.extra {
		extra[i] = pair{e.uid, r.counts[e.cell].cell}
	}
	sortPairs(extra) // few, and usually sorted already
	return mergePairs(main, extra)
}

func lessPair(a, b pair) bool { return a.uid < b.uid || a.uid == b.uid && a.cell < b.cell }

// mergePairs merges two sorted lists of pairs, dropping repeats, in linear time.
func mergePairs(a, b []pair) []pair {
	out := make([]pair, 0, len(a)+len(b))
	push := func(p pair) {
		if n := len(out); n == 0 || out[n-1] != p {
			out = append(out, p)
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if lessPair(b[j], a[i]) {
			push(b[j])
			j++
		} else {
			push(a[i])
			i++
		}
	}
	for ; i < len(a); i++ {
		push(a[i])
	}
	for ; j < len(b); j++ {
		push(b[j])
	}
	return out
}

func sortPairs(ps []pair) {
	slices.SortFunc(ps, func(a, b pair) int {
		if a.uid != b.uid {
			return cmpU32(a.uid, b.uid)
		}
		return cmpU32(a.cell, b.cell)
	})
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// buildRollup makes a row from sorted, distinct pairs and counters per cell.
func buildRollup(ps []pair, counts map[uint32]Counters) *rollup {
	r := &rollup{users: roaring.New()}
	cells := make([]uint32, 0, len(counts))
	for c := range counts {
		cells = append(cells, c)
	}
	for _, p := range ps {
		if _, ok := counts[p.cell]; !ok { // a user always comes with an event
			counts[p.cell] = Counters{}
			cells = append(cells, p.cell)
		}
	}
	slices.Sort(cells)
	index := make(map[uint32]uint32, len(cells))
	for i, c := range cells {
		index[c] = uint32(i)
		r.counts = append(r.counts, cellCount{cell: c, c: counts[c]})
	}
	uids := make([]uint32, 0, len(ps))
	for i, p := range ps {
		if i > 0 && ps[i-1].uid == p.uid {
			r.extra = append(r.extra, pair{p.uid, index[p.cell]})
			continue
		}
		uids = append(uids, p.uid)
		r.idx = append(r.idx, index[p.cell])
	}
	r.users.AddMany(uids)
	return r
}

// merge returns the row with more pairs and counters folded in.
func (r *rollup) merge(ps []pair, counts map[uint32]Counters) *rollup {
	all := counts
	if r != nil {
		all = make(map[uint32]Counters, len(r.counts)+len(counts))
		for _, cc := range r.counts {
			all[cc.cell] = cc.c
		}
		for c, v := range counts {
			x := all[c]
			x.add(v)
			all[c] = x
		}
	}
	sortPairs(ps) // the new pairs only: the row's are sorted already
	ps = slices.Compact(ps)
	if r != nil {
		ps = mergePairs(r.pairs(), ps)
	}
	return buildRollup(ps, all)
}

// filter returns the row's users whose cell passes, and the summed counters of those cells.
// When every cell passes it returns the row's own bitmap: callers must not modify it.
func (r *rollup) filter(pass func(cell uint32) bool) (*roaring.Bitmap, Counters) {
	var sum Counters
	ok := make([]bool, len(r.counts))
	all := true
	for i, cc := range r.counts {
		ok[i] = pass(cc.cell)
		if ok[i] {
			sum.add(cc.c)
		} else {
			all = false
		}
	}
	if all {
		return r.users, sum
	}
	out := make([]uint32, 0, 64)
	it := r.users.Iterator()
	for i := 0; it.HasNext(); i++ {
		u := it.Next()
		if ok[r.idx[i]] {
			out = append(out, u)
		}
	}
	for _, e := range r.extra {
		if ok[e.cell] {
			out = append(out, e.uid)
		}
	}
	return roaring.BitmapOf(out...), sum
}

// group splits the row's passing users and counters by a key of the cell ("" drops it).
func (r *rollup) group(key func(cell uint32) string) (map[string][]uint32, map[string]Counters) {
	keys := make([]string, len(r.counts))
	sums := map[string]Counters{}
	for i, cc := range r.counts {
		keys[i] = key(cc.cell)
		if keys[i] != "" {
			s := sums[keys[i]]
			s.add(cc.c)
			sums[keys[i]] = s
		}
	}
	users := map[string][]uint32{}
	it := r.users.Iterator()
	for i := 0; it.HasNext(); i++ {
		u := it.Next()
		if k := keys[r.idx[i]]; k != "" {
			users[k] = append(users[k], u)
		}
	}
	for _, e := range r.extra {
		if k := keys[e.cell]; k != "" {
			users[k] = append(users[k], e.uid)
		}
	}
	return users, sums
}
