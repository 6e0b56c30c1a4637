package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/bridge"
)

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
	sig, err := s.Bridge.WeChatSignature(c.Request().Context(), c.QueryParam("app_id"), c.QueryParam("url"), c.Request().Host)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, sig)
}
