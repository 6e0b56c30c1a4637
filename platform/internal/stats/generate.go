package stats

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Weighted is a name with a weight, for the generator's apps, regions and channels.
type Weighted struct {
	Name   string
	Weight float64
}

// GenConfig shapes generated usage. Each app gets a number of distinct users in proportion
// to its weight, and each user one home region and channel in proportion to theirs, by
// quota rather than by chance, so the reports come out in the configured proportions.
type GenConfig struct {
	Events int
	// Days of history ending with End (inclusive).
	Days int
	End  Day
	Apps []Weighted
	// Regions are GB/T 2260 codes; "" is an unknown region.
	Regions  []Weighted
	Channels []Weighted
	// Users is the number of distinct people (0: one per 12 events).
	Users int
	// DeviceShare is the share of people who are signed out (app-scoped device ids).
	DeviceShare float64
	// Mix is the chance that a session comes through another channel and region than the
	// person's own (a second phone, a trip).
	Mix  float64
	Seed uint64
	// Location sets day boundaries (default ChinaTime).
	Location *time.Location
}

// GenBatch is one session as sdk-js would send it, and what the server knows about it.
type GenBatch struct {
	Batch  Batch
	Origin Origin
}

type genSession struct {
	at    int64 // ms, true time of the launch
	pair  int32
	ch    int16
	reg   int16
	pages uint8 // page views
	calls uint8 // jsapi calls
	extra uint8 // bits: error, update, notice, custom
}

var genExtras = []struct {
	name string
	p    float64
}{{EventError, 0.05}, {EventUpdate, 0.04}, {EventNoticeOpen, 0.02}, {"custom_form_submit", 0.05}}

func (s genSession) events() int {
	n := 1 + int(s.pages) + int(s.calls)
	for b := s.extra; b != 0; b >>= 1 {
		n += int(b & 1)
	}
	return n
}

// Generate produces cfg.Events events or a few more in time order, one session per batch, and
// passes each batch to fn. Every person has at least one session in the range.
func Generate(cfg GenConfig, fn func(GenBatch) error) error {
	if cfg.Events <= 0 || cfg.Days <= 0 || len(cfg.Apps) == 0 || len(cfg.Regions) == 0 || len(cfg.Channels) == 0 {
		return fmt.Errorf("stats: generate needs events, days, apps, regions and channels")
	}
	loc := cmp.Or(cfg.Location, ChinaTime)
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	const eventsPerPair = 12 // about 2.3 sessions of 5 events
	pairs := max(len(cfg.Apps), cfg.Events/eventsPerPair)
	users := cfg.Users
	if users <= 0 || users > pairs {
		users = pairs
	}
	// Quotas: users per app, region and channel.
	appQ := quotas(cfg.Apps, pairs)
	if top := slices.Max(appQ); top > users {
		users = top
	}
	regionOf := spread(quotas(cfg.Regions, users), users, rng)
	channelOf := spread(quotas(cfg.Channels, users), users, rng)
	// Pairs: each app takes the next appQ[a] people of a shuffled cycle, so people are
	// distinct within an app and everyone is used once before anyone twice.
	order := rng.Perm(users)
	pairApp := make([]int16, 0, pairs)
	pairUser := make([]int32, 0, pairs)
	next := 0
	for a, q := range appQ {
		for range q {
			pairApp = append(pairApp, int16(a))
			pairUser = append(pairUser, int32(order[next%users]))
			next++
		}
	}
	// Sessions: one per pair, then more on random pairs until the events are there.
	start := cfg.End - Day(cfg.Days) + 1
	sessions := make([]genSession, 0, cfg.Events/4)
	total := 0
	add := func(p int) {
		u := pairUser[p]
		s := genSession{pair: int32(p), ch: int16(channelOf[u]), reg: int16(regionOf[u])}
		if rng.Float64() < cfg.Mix {
			s.ch = int16(rng.IntN(len(cfg.Channels)))
			s.reg = int16(rng.IntN(len(cfg.Regions)))
		}
		day := start + Day(rng.IntN(cfg.Days))
		s.at = day.Start(loc).UnixMilli() + rng.Int64N(86_000_000)
		s.pages, s.calls = uint8(1+rng.IntN(5)), uint8(rng.IntN(3))
		for k, x := range genExtras {
			if rng.Float64() < x.p {
				s.extra |= 1 << k
			}
		}
		sessions = append(sessions, s)
		total += s.events()
	}
	for p := range pairApp {
		add(p)
	}
	for total < cfg.Events {
		add(rng.IntN(len(pairApp)))
	}
	slices.SortFunc(sessions, func(a, b genSession) int { return cmp.Compare(a.at, b.at) })
	// Events, a batch per session.
	emitted := 0
	mid := start + Day(cfg.Days/2)
	for _, s := range sessions {
		app := cfg.Apps[pairApp[s.pair]].Name
		u := pairUser[s.pair]
		skew := int64(rng.IntN(240_001)) - 120_000 // the phone's clock is off by up to 2 minutes
		version := "1.0.0"
		if day := DayOf(time.UnixMilli(s.at), loc); day >= mid && rng.IntN(cfg.Days) < 2*int(day-mid)+1 {
			version = "1.1.0"
		}
		names := make([]string, 0, s.events())
		names = append(names, EventLaunch)
		for range s.pages {
			names = append(names, EventPageView)
		}
		for range s.calls {
			names = append(names, EventJSAPICall)
		}
		for k, x := range genExtras {
			if s.extra&(1<<k) != 0 {
				names = append(names, x.name)
			}
		}
		b := GenBatch{Batch: Batch{App: app, Events: make([]Event, len(names))}}
		at := s.at
		for j, name := range names {
			ev := Event{
				ID: fmt.Sprintf("g%x-%08x", cfg.Seed, emitted+j), Name: name, TS: at + skew,
				Container: cfg.Channels[s.ch].Name, ContainerVersion: "8.0.50", Version: version,
			}
			switch name {
			case EventPageView:
				ev.Page = fmt.Sprintf("/page/%d", rng.IntN(8))
			case EventJSAPICall:
				ev.Props = []byte(`{"api":"scan","ok":true}`)
			case EventError:
				ev.Props = []byte(`{"message":"TypeError: x is undefined"}`)
			}
			b.Batch.Events[j] = ev
			at += 1000 + rng.Int64N(20_000)
		}
		received := at + 200
		b.Batch.SentAt = received + skew
		b.Origin = Origin{Region: cfg.Regions[s.reg].Name, ReceivedAt: time.UnixMilli(received)}
		if float64(u%1000) < cfg.DeviceShare*1000 {
			b.Batch.DeviceID = fmt.Sprintf("dev-%08d", u)
		} else {
			b.Origin.CitizenID = fmt.Sprintf("citizen-%d", u)
		}
		emitted += len(names)
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// quotas splits n in proportion to the weights (largest remainders), each at least 1.
func quotas(ws []Weighted, n int) []int {
	sum := 0.0
	for _, w := range ws {
		sum += w.Weight
	}
	out := make([]int, len(ws))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(ws))
	given := 0
	for i, w := range ws {
		x := float64(n) * w.Weight / sum
		out[i] = int(math.Floor(x))
		rems[i] = rem{i, x - math.Floor(x)}
		given += out[i]
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.r, a.r) })
	for k := 0; given < n; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	for i := range out {
		out[i] = max(out[i], 1)
	}
	return out
}

// spread gives each of n people an index, q[i] people index i, in random order.
func spread(q []int, n int, rng *rand.Rand) []int {
	out := make([]int, 0, n)
	for i, k := range q {
		for range k {
			out = append(out, i)
		}
	}
	for len(out) < n {
		out = append(out, 0)
	}
	out = out[:n]
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
