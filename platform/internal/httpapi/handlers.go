package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

func (s *server) handleHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		s.Logger.Error("health: database unreachable", "err", err)
		return c.JSON(http.StatusServiceUnavailable, healthResponse{Status: "database unreachable"})
	}
	return c.JSON(http.StatusOK, healthResponse{Status: "ok"})
}

func (s *server) handleMetrics(c echo.Context) error {
	promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

func (s *server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openapi)
}

func (s *server) handleMe(c echo.Context) error {
	u, g, err := s.Identity.Me(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, meResponse{User: u, Grants: g})
}

func (s *server) handleRoles(c echo.Context) error {
	r, err := s.Identity.Roles(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rolesResponse{Roles: r})
}

// ---- organisations ----

func (s *server) handleListOrgs(c echo.Context) error {
	p := principal(c)
	if len(p.Grants) == 0 {
		return &identity.ForbiddenError{What: "any organisation"}
	}
	n, err := s.Identity.ListNodes(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, nodesResponse{Nodes: n})
}

func (s *server) handleCreateOrg(c echo.Context) error {
	var in identity.NodeCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	n, err := s.Identity.CreateNode(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}

func (s *server) handleGetOrg(c echo.Context) error {
	n, err := s.Identity.GetNode(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

func (s *server) handleUpdateOrg(c echo.Context) error {
	var in identity.NodeUpdate
	if err := bind(c, &in); err != nil {
		return err
	}
	n, err := s.Identity.UpdateNode(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

func (s *server) handleDeleteOrg(c echo.Context) error {
	if err := s.Identity.DeleteNode(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ---- users ----

func (s *server) handleListUsers(c echo.Context) error {
	p := principal(c)
	if len(p.Subtrees(identity.PermOrgAdmin)) == 0 {
		return &identity.ForbiddenError{Perm: identity.PermOrgAdmin, What: "any organisation"}
	}
	u, err := s.Identity.ListUsers(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, usersResponse{Users: u})
}

func (s *server) handleCreateUser(c echo.Context) error {
	var in identity.UserCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	u, err := s.Identity.CreateUser(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *server) handleGetUser(c echo.Context) error {
	u, err := s.Identity.GetUser(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *server) handleCreateGrant(c echo.Context) error {
	var in identity.GrantCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	g, err := s.Identity.CreateGrant(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, g)
}

func (s *server) handleDeleteGrant(c echo.Context) error {
	if err := s.Identity.DeleteGrant(c.Request().Context(), principal(c), c.Param("id"), c.Param("grant_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ---- tokens ----

func (s *server) handleListTokens(c echo.Context) error {
	t, err := s.Identity.ListTokens(c.Request().Context(), principal(c), c.QueryParam("user_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tokensResponse{Tokens: t})
}

func (s *server) handleCreateToken(c echo.Context) error {
	var in identity.TokenCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	t, err := s.Identity.CreateToken(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, t)
}

func (s *server) handleRevokeToken(c echo.Context) error {
	if err := s.Identity.RevokeToken(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ---- apps ----

func (s *server) handleListApps(c echo.Context) error {
	p := principal(c)
	if len(p.Grants) == 0 {
		return &identity.ForbiddenError{What: "any organisation"}
	}
	a, err := s.Apps.List(c.Request().Context(), p, apps.ListFilter{Status: c.QueryParam("status"), Owner: c.QueryParam("owner")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, appsResponse{Apps: a})
}

func (s *server) handleCreateApp(c echo.Context) error {
	var in apps.Create
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := s.Apps.Create(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

func (s *server) handleGetApp(c echo.Context) error {
	a, err := s.Apps.Get(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *server) handleUpdateApp(c echo.Context) error {
	var in apps.Update
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := s.Apps.Update(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *server) transition(act apps.Action) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in commentRequest
		if err := bind(c, &in); err != nil {
			return err
		}
		a, err := s.Apps.Transition(c.Request().Context(), principal(c), c.Param("id"), act, in.Comment)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, a)
	}
}

func (s *server) handleAppHistory(c echo.Context) error {
	t, err := s.Apps.History(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, transitionsResponse{Transitions: t})
}

// ---- audit ----

func (s *server) handleListAudit(c echo.Context) error {
	p := principal(c)
	paths := p.Subtrees(identity.PermAuditRead)
	if len(paths) == 0 {
		return &identity.ForbiddenError{Perm: identity.PermAuditRead, What: "any organisation"}
	}
	after, err := intParam(c, "after_seq", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	e, err := s.Audit.List(c.Request().Context(), paths, after, int(limit))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, auditResponse{Entries: e})
}

func (s *server) handleVerifyAudit(c echo.Context) error {
	p := principal(c)
	root, err := s.Identity.RootNode(c.Request().Context())
	if err != nil {
		return err
	}
	// The chain spans every department, so only an auditor of the whole tree may walk it.
	if err := p.Require(identity.PermAuditRead, root.Path, "the root organisation "+root.Name); err != nil {
		return err
	}
	r, err := s.Audit.Verify(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func intParam(c echo.Context, name string, def, min, max int64) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		return 0, errs.Invalid(name, "%q is not a whole number from %d to %d", v, min, max)
	}
	return n, nil
}
