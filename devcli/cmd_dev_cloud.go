package devcli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/coder/websocket"

	"github.com/govapp/govapp/devcli/internal/devserver"
	"github.com/govapp/govapp/platform/client"
)

// cloudSession syncs every dev build to a platform session and prints what the phones there
// send back: for networks where a phone cannot reach the PC.
type cloudSession struct {
	e   *Env
	a   *api
	ses *client.DevSession
	app string
	mu  sync.Mutex // one sync at a time, in build order
}

// startCloud opens the session; the dev server's OnBuild calls sync.
func startCloud(ctx context.Context, e *Env, appID string) (*cloudSession, error) {
	a, err := e.api()
	if err != nil {
		return nil, err
	}
	ses, err := a.CreateDevSession(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("open a cloud dev session for %s: %w", appID, err)
	}
	return &cloudSession{e: e, a: a, ses: ses, app: appID}, nil
}

// URL is where phones open the session.
func (c *cloudSession) URL() string { return strings.TrimRight(c.a.BaseURL(), "/") + c.ses.Path }

// sync uploads the files the platform lacks and points the session at the build.
func (c *cloudSession) sync(ctx context.Context, files map[string][]byte, entry string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	paths := map[string]string{}
	byHash := map[string][]byte{}
	var hashes []string
	for p, b := range files {
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		paths[p] = h
		if _, ok := byHash[h]; !ok {
			byHash[h] = b
			hashes = append(hashes, h)
		}
	}
	missing, err := c.a.MissingBlobs(ctx, c.app, hashes)
	if err != nil {
		fmt.Fprintf(c.e.Stderr, "cloud: %v\n", err)
		return
	}
	for _, h := range missing {
		if _, err := c.a.PutBlob(ctx, c.app, h, bytes.NewReader(byHash[h]), int64(len(byHash[h]))); err != nil {
			fmt.Fprintf(c.e.Stderr, "cloud: upload: %v\n", err)
			return
		}
	}
	if _, err := c.a.SyncDevSession(ctx, c.ses.ID, entry, paths); err != nil {
		fmt.Fprintf(c.e.Stderr, "cloud: %v\n", err)
		return
	}
	fmt.Fprintf(c.e.Stdout, "cloud: synced %d file(s) (%d uploaded) to %s\n", len(paths), len(missing), c.URL())
}

// logs prints the phones' messages relayed by the platform until ctx ends.
func (c *cloudSession) logs(ctx context.Context, srv *devserver.Server) {
	u := "ws" + strings.TrimPrefix(strings.TrimRight(c.a.BaseURL(), "/"), "http") + "/v1/dev/sessions/" + c.ses.ID + "/logs"
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.a.Token()}}})
	if err != nil {
		fmt.Fprintf(c.e.Stderr, "cloud: cannot follow the phones' logs: %v\n", err)
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(128 << 10)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var m struct {
			UA   string          `json:"ua"`
			Body json.RawMessage `json:"body"`
		}
		if json.Unmarshal(data, &m) == nil {
			_ = srv.Relay(m.UA, m.Body)
		}
	}
}

// close ends the session on the platform.
func (c *cloudSession) close() {
	_ = c.a.DeleteDevSession(context.Background(), c.ses.ID)
}
