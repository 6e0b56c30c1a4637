package stats

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// randomBatch writes a batch body that is often of the common shape and sometimes not:
// escapes, unknown or differently cased keys, nulls, floats, duplicates, odd spacing,
// broken JSON.
func randomBatch(rng *rand.Rand) string {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	ws := func() string { return pick("", "", "", " ", "\n\t", "\r\n ") }
	str := func() string {
		return pick(`"app-a"`, `"evt-0000001"`, `"page_view"`, `"wechat"`, `"1.0.0"`, `"/p/1"`, `""`, `"é漢字"`, `"a\"b"`, `"a\\u0041"`, "\"\xff\"", `"x`+"\x01"+`"`, `"custom_x"`)
	}
	num := func() string {
		return pick("1745287200000", "0", "-5", "12.5", "1e3", "01", "9223372036854775807", "9223372036854775808", "-9223372036854775808", `"1"`, "null", "true")
	}
	val := func(key string) string {
		switch key {
		case "ts", "sent_at":
			return num()
		case "props":
			return pick(`{"a":1,"b":"x","c":true}`, `{}`, `{"a":{"b":[1,2]}}`, `null`, `[1]`, `{"a":"}"}`, `{"a":1`, `{"a":"\u00e9"}`, `"s"`)
		case "events":
			var evs []string
			for range rng.IntN(4) {
				evs = append(evs, pick(`"not an object"`, "null", "{}"))
			}
			return "[" + strings.Join(evs, ",") + "]"
		}
		if rng.IntN(6) == 0 {
			return num()
		}
		return str()
	}
	obj := func(keys []string) string {
		var parts []string
		n := rng.IntN(len(keys) + 2)
		for range n {
			k := keys[rng.IntN(len(keys))]
			kk := k
			if rng.IntN(30) == 0 {
				kk = strings.ToUpper(k)
			}
			if rng.IntN(40) == 0 {
				kk = "extra"
			}
			parts = append(parts, ws()+`"`+kk+`"`+ws()+":"+ws()+val(k)+ws())
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	evKeys := []string{"id", "app", "name", "ts", "container", "container_version", "version", "page", "props"}
	var evs []string
	for range rng.IntN(5) {
		evs = append(evs, ws()+obj(evKeys)+ws())
	}
	body := fmt.Sprintf(`%s{"sent_at":%s,%s"app":%s,"device_id":%s,"events":[%s]}%s`, ws(), num(), ws(), str(), str(), strings.Join(evs, ","), ws())
	switch rng.IntN(20) {
	case 0:
		body = body[:rng.IntN(len(body))]
	case 1:
		body = obj([]string{"sent_at", "app", "device_id", "events"})
	case 2:
		body += "x"
	}
	return body
}

// Whenever the fast decoder takes a body, it decodes it exactly as encoding/json does.
func TestDecodeBatchFastMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	taken := 0
	for i := range 100_000 {
		body := randomBatch(rng)
		var fast Batch
		if !decodeBatchFast([]byte(body), &fast) {
			continue
		}
		taken++
		var want Batch
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("case %d: fast decoding took a body encoding/json refuses (%v):\n%s", i, err, body)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("case %d:\n%s\nfast %+v\njson %+v", i, body, fast, want)
		}
	}
	if taken < 1000 {
		t.Fatalf("the fast path took only %d bodies: the test no longer exercises it", taken)
	}
}

func FuzzDecodeBatchFast(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		f.Add([]byte(randomBatch(rng)))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast Batch
		if !decodeBatchFast(body, &fast) {
			return
		}
		var want Batch
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("fast decoding took a body encoding/json refuses: %v", err)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("fast %+v\njson %+v", fast, want)
		}
	})
}
