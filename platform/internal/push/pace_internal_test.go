package push

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// A throttled batch halves the channel's rate (never below 10/s) and clean batches win it
// back a tenth of the ceiling at a time: 429s slow the sender down instead of failing.
func TestPaceBacksOffAndRecovers(t *testing.T) {
	d := (&Service{}).NewDispatcher(DispatchConfig{Limits: map[string]ChannelLimits{KindAPNs: {Rate: 1000, Batch: 100}}})
	ch := d.newChannel(KindAPNs)
	ch.pace(0) // throttled, no Retry-After
	if got := ch.limiter.Limit(); got != 500 {
		t.Fatalf("after a throttled batch: %v/s, want 500", got)
	}
	for range 10 {
		ch.pace(0)
	}
	if got := ch.limiter.Limit(); got != 10 {
		t.Fatalf("floor: %v/s, want 10", got)
	}
	start := time.Now()
	ch.pace(50 * time.Millisecond) // Retry-After is waited out
	if time.Since(start) < 50*time.Millisecond {
		t.Error("Retry-After was not honoured")
	}
	for range 20 {
		ch.pace(-1) // clean
	}
	if got := ch.limiter.Limit(); got != rate.Limit(1000) {
		t.Fatalf("after clean batches: %v/s, want back to 1000", got)
	}
}
