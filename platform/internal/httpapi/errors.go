package httpapi

import (
	"errors"
	"net/http"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/devrelay"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/ext/wechat"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
	"github.com/govapp/govapp/platform/internal/releases"
	"github.com/govapp/govapp/platform/internal/stats"
)

// apiError is the one error shape of the API. Code is stable across releases: scripts may
// switch on it; Message is for people and says what to do next.
type apiError struct {
	Code      int    `json:"code"`
	HTTP      int    `json:"http"`
	Message   string `json:"error"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// Errors raised by the HTTP layer itself.
var (
	errMalformedJSON = errors.New("malformed JSON")
	errUnknownField  = errors.New("unknown field")
	errBodyTooLarge  = errors.New("body too large")
	errNoToken       = errors.New("no token")
	errNoRoute       = errors.New("no such route")
	errMethod        = errors.New("method not allowed")
)

// errorTable maps sentinels to status and stable code; the first match wins, so specific
// sentinels come before the generic kinds they wrap.
var errorTable = []struct {
	err    error
	status int
	code   int
}{
	{errMalformedJSON, http.StatusBadRequest, 40002},
	{errUnknownField, http.StatusBadRequest, 40003},
	{errs.ErrInvalid, http.StatusBadRequest, 40001},
	{errNoToken, http.StatusUnauthorized, 40101},
	{identity.ErrTokenInvalid, http.StatusUnauthorized, 40102},
	{errs.ErrUnauthenticated, http.StatusUnauthorized, 40103},
	{apps.ErrSelfReview, http.StatusForbidden, 40302},
	{errs.ErrForbidden, http.StatusForbidden, 40301},
	{errNoRoute, http.StatusNotFound, 40401},
	{identity.ErrNodeNotFound, http.StatusNotFound, 40402},
	{identity.ErrUserNotFound, http.StatusNotFound, 40403},
	{apps.ErrAppNotFound, http.StatusNotFound, 40404},
	{identity.ErrRoleNotFound, http.StatusNotFound, 40405},
	{identity.ErrGrantNotFound, http.StatusNotFound, 40406},
	{identity.ErrTokenNotFound, http.StatusNotFound, 40407},
	{errMethod, http.StatusMethodNotAllowed, 40501},
	{apps.ErrAppExists, http.StatusConflict, 40902},
	{identity.ErrUserExists, http.StatusConflict, 40903},
	{identity.ErrNodeInUse, http.StatusConflict, 40904},
	{apps.ErrBadTransition, http.StatusConflict, 40905},
	{identity.ErrGrantExists, http.StatusConflict, 40906},
	{identity.ErrNodeExists, http.StatusConflict, 40907},
	{errs.ErrConflict, http.StatusConflict, 40901},
	{releases.ErrKeyNotFound, http.StatusNotFound, 40408},
	{releases.ErrBundleNotFound, http.StatusNotFound, 40409},
	{releases.ErrChannelNotFound, http.StatusNotFound, 40410},
	{releases.ErrReleaseNotFound, http.StatusNotFound, 40411},
	{releases.ErrKeyExists, http.StatusConflict, 40908},
	{releases.ErrChannelExists, http.StatusConflict, 40909},
	{releases.ErrReleaseState, http.StatusConflict, 40910},
	{releases.ErrAppNotOnline, http.StatusConflict, 40911},
	{releases.ErrBlobsMissing, http.StatusConflict, 40913},
	{releases.ErrBundleInvalid, http.StatusUnprocessableEntity, 42201},
	{auth.ErrClientNotFound, http.StatusNotFound, 40412},
	{auth.ErrIdentityNotFound, http.StatusNotFound, 40413},
	{auth.ErrAuthRequest, http.StatusBadRequest, 40004},
	{auth.ErrBadState, http.StatusBadRequest, 40005},
	{auth.ErrUnknownUpstream, http.StatusBadRequest, 40006},
	{auth.ErrUpstream, http.StatusBadGateway, 50201},
	{auth.ErrPhoneCode, http.StatusBadRequest, 40007},
	{auth.ErrBadPassword, http.StatusUnauthorized, 40104},
	{auth.ErrLocked, http.StatusTooManyRequests, 42903},
	{bridge.ErrForeignDomain, http.StatusForbidden, 40303},
	{bridge.ErrNotDeclared, http.StatusForbidden, 40304},
	{bridge.ErrNoAccount, http.StatusNotFound, 40414},
	{devrelay.ErrSessionNotFound, http.StatusNotFound, 40415},
	{push.ErrNoticeNotFound, http.StatusNotFound, 40416},
	{devrelay.ErrSessionExpired, http.StatusGone, 41001},
	{bridge.ErrNoWeChat, http.StatusServiceUnavailable, 50301},
	{wechat.ErrQuota, http.StatusTooManyRequests, 42902},
	{wechat.ErrNotSubscribed, http.StatusConflict, 40914},
	{errBodyTooLarge, http.StatusRequestEntityTooLarge, 41301},
	{stats.ErrBusy, http.StatusServiceUnavailable, 50303},
}

// toAPIError classifies err; anything unknown is an internal error whose details stay in the log.
func toAPIError(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, true
	}
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			return &apiError{Code: row.code, HTTP: row.status, Message: err.Error(), Field: errs.Field(err)}, true
		}
	}
	return &apiError{Code: 50001, HTTP: http.StatusInternalServerError, Message: "internal error; the server log has the details under this request id"}, false
}
