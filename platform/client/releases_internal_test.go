package client

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWatchdogFiresOnlyWithoutProgress(t *testing.T) {
	var fired atomic.Bool
	w := newWatchdog(time.Second, func() { fired.Store(true) })
	r := &watchedReader{r: strings.NewReader(strings.Repeat("x", 10)), w: w}
	buf := make([]byte, 1)
	for range 10 {
		if _, err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	if fired.Load() {
		t.Fatal("fired although every read made progress")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !fired.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !fired.Load() {
		t.Fatal("did not fire after the reads stopped")
	}
	w.stop()
}
