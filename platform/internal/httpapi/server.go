// Package httpapi is the platform's HTTP surface and the only importer of echo: one route
// table (routes.go), handlers that translate HTTP to domain calls, and one error mapping
// (errors.go). Domain code never sees an echo.Context.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/devrelay"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
	"github.com/govapp/govapp/platform/internal/releases"
	"github.com/govapp/govapp/platform/internal/stats"
)

// Deps is what the HTTP layer needs from the platform.
type Deps struct {
	Identity *identity.Service
	Apps     *apps.Service
	Audit    *audit.Store
	Releases *releases.Service
	Auth     *auth.Service
	Bridge   *bridge.Service
	Dev      *devrelay.Service
	Push     *push.Service
	// Arrivals, set in sandbox mode only, lists what the sandbox push providers delivered;
	// it turns on the sandbox phone page at /sandbox/phone.
	Arrivals func() []Arrival
	// Stats records usage events and answers the usage reports.
	Stats *stats.Store
	// DevClient is the dev client script phones load in cloud dev sessions.
	DevClient []byte
	// WeChatAppID, WeChatOAuthURL and AlipayAppID tell pages how to sign in in a container.
	WeChatAppID, WeChatOAuthURL, AlipayAppID string
	// AlipayNotify verifies and records Alipay's asynchronous notifications (nil: no Alipay).
	AlipayNotify http.Handler
	// Issuer is the OpenID provider's issuer URL; "" derives it from the request's host.
	Issuer string
	// SDK holds sdk-js's dist/ files, served at /sdk/.
	SDK       fs.FS
	Logger    *slog.Logger
	Registry  *prometheus.Registry
	BodyLimit int64
	Version   string
	// Ping checks the database for /healthz.
	Ping func(ctx context.Context) error
}

type server struct {
	Deps
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	openapi  []byte
	citizens citizenCache // access token -> citizen, for usage events
}

// New builds the handler with every route of the table.
func New(d Deps) (http.Handler, error) {
	s := &server{Deps: d}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "govapp_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"method", "route", "status"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "govapp_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	if err := errors.Join(d.Registry.Register(s.requests), d.Registry.Register(s.duration)); err != nil {
		return nil, fmt.Errorf("httpapi: register metrics: %w", err)
	}
	s.openapi = openAPIJSON

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Behind a proxy the operator sets the trusted hops; by default the peer address is the truth.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError
	e.Pre(dropBadRequestID)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		Generator: newRequestID,
		RequestIDHandler: func(c echo.Context, id string) {
			c.Set("request_id", id)
		},
	}))
	e.Use(s.observe)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.Logger.Error("panic", "request_id", requestID(c), "err", err, "stack", string(stack))
		return err
	}}))
	// Reports come from phones without tokens; a per-address budget keeps one host from
	// flooding them (carrier-grade NAT puts many citizens behind one address, hence the burst).
	reportLimit := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{Rate: 10, Burst: 100, ExpiresIn: 3 * time.Minute}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return &apiError{Code: 42901, HTTP: http.StatusTooManyRequests, Message: "too many reports from this address; send them again in a minute"}
		},
	})
	for _, r := range s.routes() {
		h := r.handler
		if r.auth {
			h = s.requireToken(h)
		}
		if r.perIPLimit {
			h = reportLimit(h)
		}
		limit := s.BodyLimit
		if r.bodyLimit > 0 {
			limit = r.bodyLimit
		}
		if r.method == "ANY" {
			e.Any(r.path, h, s.limitBody(limit))
			continue
		}
		e.Add(r.method, r.path, h, s.limitBody(limit))
	}
	return e, nil
}

// dropBadRequestID keeps a caller's X-Request-Id only when it is short and plain, so a
// client cannot stuff arbitrary text into logs and the audit log; otherwise a new one is made.
func dropBadRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !reRequestID.MatchString(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

var reRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newRequestID() string {
	return identityID()
}

func requestID(c echo.Context) string {
	id, _ := c.Get("request_id").(string)
	return id
}

// observe logs each request and records its metrics under the route pattern, not the raw
// path, so ids in URLs cannot blow up label cardinality.
func (s *server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		dur := time.Since(start)
		s.requests.WithLabelValues(c.Request().Method, route, fmt.Sprint(status)).Inc()
		s.duration.WithLabelValues(c.Request().Method, route).Observe(dur.Seconds())
		level := slog.LevelInfo
		if strings.HasPrefix(route, "/v1/runtime/") || strings.HasPrefix(route, "/a/") || route == "/sdk/:file" {
			level = slog.LevelDebug // every launch of every citizen: not an info line each
		}
		if status >= 500 {
			level = slog.LevelError
		}
		if !s.Logger.Enabled(c.Request().Context(), level) {
			return nil
		}
		attrs := []any{"method", c.Request().Method, "path", c.Request().URL.Path, "route", route, "status", status,
			"duration_ms", float64(dur.Microseconds()) / 1000, "ip", c.RealIP(), "request_id", requestID(c)}
		if p, ok := c.Get("principal").(*identity.Principal); ok {
			attrs = append(attrs, "user", p.User.Name)
		}
		s.Logger.Log(c.Request().Context(), level, "http", attrs...)
		return nil
	}
}

// limitBody caps a route's request body (file uploads get the file cap, the rest BodyLimit).
func (s *server) limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().ContentLength > limit {
				return fmt.Errorf("%w: the body is %d bytes; the limit is %d", errBodyTooLarge, c.Request().ContentLength, limit)
			}
			c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, limit)
			return next(c)
		}
	}
}

var zeroTime time.Time

// handleError writes every error in the API's one shape; internal details only go to the log.
func (s *server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			err = fmt.Errorf("%w: %s %s is not an API route; see /v1/openapi.json", errNoRoute, c.Request().Method, c.Request().URL.Path)
		case http.StatusMethodNotAllowed:
			err = fmt.Errorf("%w: %s is not allowed on %s; see /v1/openapi.json", errMethod, c.Request().Method, c.Request().URL.Path)
		case http.StatusRequestEntityTooLarge:
			err = fmt.Errorf("%w: the limit is %d bytes", errBodyTooLarge, s.BodyLimit)
		}
	}
	ae, known := toAPIError(err)
	if !known {
		s.Logger.Error("internal error", "request_id", requestID(c), "err", err)
	}
	out := *ae
	out.RequestID = requestID(c)
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(out.HTTP)
		return
	}
	_ = c.JSON(out.HTTP, out)
}

// requireToken authenticates the bearer token and puts the principal in the context.
func (s *server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return fmt.Errorf("%w: this route needs an API token; send \"Authorization: Bearer gvt_…\" (create one with `govapp tokens create` or use the admin token printed at first start)", errNoToken)
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return fmt.Errorf("%w: the Authorization header must be \"Bearer gvt_…\"", identity.ErrTokenInvalid)
		}
		p, err := s.Identity.Authenticate(c.Request().Context(), strings.TrimSpace(secret), c.RealIP(), requestID(c))
		if err != nil {
			return err
		}
		c.Set("principal", p)
		return next(c)
	}
}

func principal(c echo.Context) *identity.Principal {
	return c.Get("principal").(*identity.Principal)
}

// bind decodes a JSON body strictly: unknown fields and trailing data are refused, so a
// typo in a field name is reported instead of silently ignored.
func bind(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("%w: the limit is %d bytes", errBodyTooLarge, mbe.Limit)
		}
		return fmt.Errorf("%w: reading the body failed: %v", errMalformedJSON, err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &apiError{Code: 40003, HTTP: http.StatusBadRequest, Field: field,
				Message: fmt.Sprintf("%s: unknown field; check its spelling against /v1/openapi.json", field)}
		case errors.As(err, &ute):
			return &apiError{Code: 40002, HTTP: http.StatusBadRequest, Field: ute.Field,
				Message: fmt.Sprintf("%s: must be %s, not a JSON %s", ute.Field, jsonKind(ute.Type.Kind().String()), ute.Value)}
		case errors.As(err, &se):
			return fmt.Errorf("%w: syntax error at byte %d: %v", errMalformedJSON, se.Offset, err)
		default:
			return fmt.Errorf("%w: %v", errMalformedJSON, err)
		}
	}
	if dec.More() {
		return fmt.Errorf("%w: the body holds more than one JSON value; send exactly one object", errMalformedJSON)
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	default:
		return "a number"
	}
}
