package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/identity"
)

func identityNodeID(id string) error { return identity.ValidNodeID("id", id) }

func (s *server) handleGetBridge(c echo.Context) error {
	st, err := s.Bridge.GetSettings(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *server) handleSetBridge(c echo.Context) error {
	var in bridge.Settings
	if err := bind(c, &in); err != nil {
		return err
	}
	st, err := s.Bridge.SetSettings(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// handleWeChatSignature serves wx.config for a page of an online app (sdk-js asks it).
func (s *server) handleWeChatSignature(c echo.Context) error {
	var wanted []string
	if a := c.QueryParam("apis"); a != "" {
		wanted = strings.Split(a, ",")
	}
	sig, err := s.Bridge.WeChatSignature(c.Request().Context(), c.QueryParam("app_id"), c.QueryParam("url"), c.Request().Host, wanted)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, sig)
}

// handleAlipayNotify is where Alipay posts asynchronous notifications: verified (RSA2), handled
// once per notify_id, answered "success" so Alipay stops retrying.
func (s *server) handleAlipayNotify(c echo.Context) error {
	if s.AlipayNotify == nil {
		return &apiError{Code: 50302, HTTP: http.StatusServiceUnavailable, Message: "Alipay is not configured on this platform"}
	}
	s.AlipayNotify.ServeHTTP(c.Response(), c.Request())
	return nil
}

func (s *server) handleGetAccount(c echo.Context) error {
	if err := identityNodeID(c.Param("id")); err != nil {
		return err
	}
	n, err := s.Identity.Node(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	acc, err := s.Bridge.GetAccount(c.Request().Context(), principal(c), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, acc)
}

func (s *server) handleSetAccount(c echo.Context) error {
	var in bridge.AccountSet
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := identityNodeID(c.Param("id")); err != nil {
		return err
	}
	n, err := s.Identity.Node(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	acc, err := s.Bridge.SetAccount(c.Request().Context(), principal(c), n, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, acc)
}
