package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/push"
)

// Unified push (统一消息推送): the console side (notices, preview, stats, tags) and the
// runtime side a citizen's app calls with the citizen's access token (devices, inbox,
// opens, subscriptions).

type (
	previewRequest struct {
		Scope    string        `json:"scope"`
		Audience push.Audience `json:"audience"`
	}
	noticesResponse struct {
		Notices []push.Notice `json:"notices"`
	}
	tagRequest struct {
		Node  string   `json:"node"`
		Tag   string   `json:"tag"`
		Users []string `json:"users"`
	}
	tagResponse struct {
		Tagged int `json:"tagged"`
	}
	deviceRequest struct {
		Kind        string `json:"kind"`
		Token       string `json:"token"`
		Topic       string `json:"topic,omitempty"`
		Environment string `json:"environment,omitempty"`
		AppID       string `json:"app_id,omitempty"`
	}
	inboxResponse struct {
		Items []push.InboxItem `json:"items"`
	}
	okResponse struct {
		Status string `json:"status"`
	}
)

func (s *server) handlePushPreview(c echo.Context) error {
	var in previewRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	pv, err := s.Push.Preview(c.Request().Context(), principal(c), in.Scope, in.Audience)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pv)
}

func (s *server) handleCreateNotice(c echo.Context) error {
	var in push.NoticeCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	if k := c.Request().Header.Get("Idempotency-Key"); k != "" && in.IdempotencyKey == "" {
		in.IdempotencyKey = k
	}
	n, created, err := s.Push.Create(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	if !created {
		return c.JSON(http.StatusOK, n) // a retry: the first notice, nothing new
	}
	return c.JSON(http.StatusCreated, n)
}

func (s *server) handleListNotices(c echo.Context) error {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	ns, err := s.Push.List(c.Request().Context(), principal(c), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, noticesResponse{Notices: ns})
}

func (s *server) handleGetNotice(c echo.Context) error {
	n, err := s.Push.Get(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

func (s *server) handleNoticeStats(c echo.Context) error {
	st, err := s.Push.Stats(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *server) handleCancelNotice(c echo.Context) error {
	n, err := s.Push.Cancel(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

func (s *server) handleTagUsers(c echo.Context) error {
	var in tagRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.Push.TagUsers(c.Request().Context(), principal(c), in.Node, in.Tag, in.Users); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tagResponse{Tagged: len(in.Users)})
}

func (s *server) handleRegisterDevice(c echo.Context) error {
	var in deviceRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	user, err := s.citizen(c)
	if err != nil {
		return err
	}
	d, err := s.Push.Devices.Register(c.Request().Context(), push.Device{UserID: user, Kind: in.Kind, Token: in.Token,
		Topic: in.Topic, Environment: in.Environment, AppID: in.AppID})
	if err != nil {
		return err
	}
	if d.AppID != "" {
		if err := s.Push.Subscribe(c.Request().Context(), user, d.AppID); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *server) handleInbox(c echo.Context) error {
	user, err := s.citizen(c)
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	items, err := s.Push.Inbox(c.Request().Context(), user, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, inboxResponse{Items: items})
}

func (s *server) handleNoticeOpened(c echo.Context) error {
	user, err := s.citizen(c)
	if err != nil {
		return err
	}
	if err := s.Push.MarkOpened(c.Request().Context(), user, c.Param("id")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, okResponse{Status: "opened"})
}

func (s *server) handleSubscribe(c echo.Context) error {
	user, err := s.citizen(c)
	if err != nil {
		return err
	}
	if c.Request().Method == http.MethodDelete {
		err = s.Push.Unsubscribe(c.Request().Context(), user, c.Param("app"))
	} else {
		err = s.Push.Subscribe(c.Request().Context(), user, c.Param("app"))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, okResponse{Status: "ok"})
}
