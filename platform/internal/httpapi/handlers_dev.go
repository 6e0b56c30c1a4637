package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/devrelay"
)

type devSessionRequest struct {
	AppID string `json:"app_id"`
}

func (s *server) handleCreateDevSession(c echo.Context) error {
	var in devSessionRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ses, err := s.Dev.Create(c.Request().Context(), principal(c), in.AppID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ses)
}

func (s *server) handleSyncDevSession(c echo.Context) error {
	var in devrelay.Sync
	if err := bind(c, &in); err != nil {
		return err
	}
	ses, err := s.Dev.SetFiles(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ses)
}

func (s *server) handleDeleteDevSession(c echo.Context) error {
	if err := s.Dev.Delete(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleDevLogs streams the phones' messages of a session to its owner's terminal.
func (s *server) handleDevLogs(c echo.Context) error {
	id := c.Param("id")
	if err := s.Dev.Authorize(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	conn, err := websocket.Accept(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // Accept wrote the refusal
	}
	defer conn.CloseNow()
	msgs, cancel := s.Dev.Subscribe(id, devrelay.RoleDeveloper)
	defer cancel()
	ctx := conn.CloseRead(c.Request().Context())
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-msgs:
			wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Write(wctx, websocket.MessageText, m)
			wcancel()
			if err != nil {
				return nil
			}
		}
	}
}

// handleDevEvents is a phone's event stream in a cloud session (server-sent events, as with
// `govapp dev` on the LAN: plain HTTP passes intranet proxies that break WebSockets).
func (s *server) handleDevEvents(c echo.Context) error {
	id := c.Param("id")
	if err := s.Dev.Alive(c.Request().Context(), id); err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	msgs, cancel := s.Dev.Subscribe(id, devrelay.RoleDevice)
	defer cancel()
	ctx := c.Request().Context()
	tick := time.NewTicker(25 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-msgs:
			if _, err := w.Write(append(append([]byte("data: "), m...), '\n', '\n')); err != nil {
				return nil
			}
			w.Flush()
		case <-tick.C:
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

// relayedLog is how a phone's batch reaches the developer: with the User-Agent the platform
// saw, so the terminal names the device as `govapp dev` does locally.
type relayedLog struct {
	UA   string          `json:"ua"`
	Body json.RawMessage `json:"body"`
}

// handleDevLog takes a phone's batch of console calls, errors and requests. Garbage is dropped
// here; it never reaches the terminal.
func (s *server) handleDevLog(c echo.Context) error {
	id := c.Param("id")
	if err := s.Dev.Alive(c.Request().Context(), id); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, devrelay.MaxMessage+1))
	if err != nil || len(body) > devrelay.MaxMessage || !json.Valid(body) {
		return c.NoContent(http.StatusBadRequest)
	}
	msg, _ := json.Marshal(relayedLog{UA: c.Request().UserAgent(), Body: body})
	s.Dev.Publish(id, devrelay.RoleDeveloper, msg)
	return c.NoContent(http.StatusNoContent)
}

// handleDevFile serves a session's dev build at /d/{id}/…; the entry HTML gets the runtime and
// the dev client, which connects back to /d/{id}/__govapp/ws.
func (s *server) handleDevFile(c echo.Context) error {
	id, p := c.Param("id"), c.Param("*")
	if p == "__govapp/dev.js" {
		if len(s.DevClient) == 0 {
			return s.h5Error(c, http.StatusNotFound, "找不到文件", "dev client not built")
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", s.DevClient)
	}
	sha, entry, err := s.Dev.File(c.Request().Context(), id, p)
	if err != nil {
		if errors.Is(err, devrelay.ErrSessionExpired) {
			return s.h5Error(c, http.StatusGone, "调试会话已结束", "请在电脑上重新运行 govapp dev --cloud。")
		}
		return s.h5Error(c, http.StatusNotFound, "找不到页面", "调试会话不存在或没有这个文件。")
	}
	if p == "" {
		return c.Redirect(http.StatusFound, "/d/"+id+"/"+entry)
	}
	f, err := s.Releases.OpenBlob(sha)
	if err != nil {
		return err
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	ct := contentTypeOf(p)
	if p == entry {
		body = injectSDK(body, []byte(`<script>window.__GOVAPP_DEV__={"base":"/d/`+id+`"};</script><script src="/d/`+id+`/__govapp/dev.js"></script><script src="/sdk/govapp.js"></script>`))
	}
	return c.Blob(http.StatusOK, ct, body)
}
