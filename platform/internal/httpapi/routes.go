package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/hotupdate"
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

// route is one row of the table: the handler plus what the OpenAPI document and the
// authorisation scenario test need to know about it.
type route struct {
	method  string
	path    string
	handler echo.HandlerFunc
	auth    bool   // needs a bearer token
	perm    string // the permission it checks, for the document ("" = any valid token)
	summary string
	query   []string
	body    any // request body type, nil when none
	resp    any // success body type, nil when none
	status  int
	// rawBody documents a body that is not JSON (file uploads); bodyLimit overrides BodyLimit.
	rawBody   string
	bodyLimit int64
	// public marks routes for devices and citizens, tested by their own tests rather than the
	// console authorisation table.
	public bool
	// perIPLimit rate-limits an unauthenticated route that writes (device reports).
	perIPLimit bool
	// csv marks reports that also answer text/csv for format=csv.
	csv bool
	// external routes are protocols described elsewhere (OpenID Connect discovery), not in
	// this API's OpenAPI document.
	external bool
}

// Response wrappers, named so the OpenAPI document has stable schema names.
type (
	healthResponse struct {
		Status string `json:"status"`
	}
	meResponse struct {
		User   identity.User    `json:"user"`
		Grants []identity.Grant `json:"grants"`
	}
	rolesResponse struct {
		Roles []identity.Role `json:"roles"`
	}
	nodesResponse struct {
		Nodes []identity.Node `json:"nodes"`
	}
	usersResponse struct {
		Users []identity.User `json:"users"`
	}
	tokensResponse struct {
		Tokens []identity.Token `json:"tokens"`
	}
	appsResponse struct {
		Apps []apps.App `json:"apps"`
	}
	transitionsResponse struct {
		Transitions []apps.Transition `json:"transitions"`
	}
	auditResponse struct {
		Entries []audit.Entry `json:"entries"`
	}
	commentRequest struct {
		Comment string `json:"comment,omitempty"`
	}
)

// routes is the one route table of the platform.
func (s *server) routes() []route {
	return []route{
		{method: http.MethodGet, path: "/healthz", handler: s.handleHealth, summary: "Liveness and database reachability", resp: healthResponse{}, status: 200},
		{method: http.MethodGet, path: "/metrics", handler: s.handleMetrics, summary: "Prometheus metrics", status: 200},
		{method: http.MethodGet, path: "/v1/openapi.json", handler: s.handleOpenAPI, summary: "This API's OpenAPI 3 description", status: 200},

		{method: http.MethodGet, path: "/v1/me", handler: s.handleMe, auth: true, summary: "The caller and their grants", resp: meResponse{}, status: 200},
		{method: http.MethodGet, path: "/v1/roles", handler: s.handleRoles, auth: true, summary: "Roles and their permissions", resp: rolesResponse{}, status: 200},

		{method: http.MethodGet, path: "/v1/orgs", handler: s.handleListOrgs, auth: true, perm: "any grant", summary: "Organisations in the caller's subtrees", resp: nodesResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/orgs", handler: s.handleCreateOrg, auth: true, perm: identity.PermOrgAdmin, summary: "Create a region or department", body: identity.NodeCreate{}, resp: identity.Node{}, status: 201},
		{method: http.MethodGet, path: "/v1/orgs/:id", handler: s.handleGetOrg, auth: true, perm: "any grant", summary: "One organisation", resp: identity.Node{}, status: 200},
		{method: http.MethodPatch, path: "/v1/orgs/:id", handler: s.handleUpdateOrg, auth: true, perm: identity.PermOrgAdmin, summary: "Rename or move an organisation", body: identity.NodeUpdate{}, resp: identity.Node{}, status: 200},
		{method: http.MethodDelete, path: "/v1/orgs/:id", handler: s.handleDeleteOrg, auth: true, perm: identity.PermOrgAdmin, summary: "Delete an empty organisation", status: 204},

		{method: http.MethodGet, path: "/v1/users", handler: s.handleListUsers, auth: true, perm: identity.PermOrgAdmin, summary: "Users in the caller's org.admin subtrees", resp: usersResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/users", handler: s.handleCreateUser, auth: true, perm: identity.PermOrgAdmin, summary: "Create a staff user or citizen", body: identity.UserCreate{}, resp: identity.User{}, status: 201},
		{method: http.MethodGet, path: "/v1/users/:id", handler: s.handleGetUser, auth: true, perm: identity.PermOrgAdmin, summary: "One user with grants", resp: identity.User{}, status: 200},
		{method: http.MethodPost, path: "/v1/users/:id/grants", handler: s.handleCreateGrant, auth: true, perm: identity.PermOrgAdmin, summary: "Grant a role on a node", body: identity.GrantCreate{}, resp: identity.Grant{}, status: 201},
		{method: http.MethodPut, path: "/v1/users/:id/password", handler: s.handleSetPassword, auth: true, perm: identity.PermOrgAdmin + " (or the user)", summary: "Set a staff user's sign-in password (argon2id; locked 15 min after 5 failures)", body: passwordRequest{}, status: 204},
		{method: http.MethodGet, path: "/v1/users/:id/identities", handler: s.handleListIdentities, auth: true, perm: identity.PermOrgAdmin, summary: "WeChat/Alipay/gov-app accounts linked to a citizen", resp: identitiesResponse{}, status: 200},
		{method: http.MethodDelete, path: "/v1/users/:id/identities/:provider", handler: s.handleUnlink, auth: true, perm: identity.PermOrgAdmin, summary: "Unlink an upstream account from a citizen (audited)", status: 204},
		{method: http.MethodDelete, path: "/v1/users/:id/grants/:grant_id", handler: s.handleDeleteGrant, auth: true, perm: identity.PermOrgAdmin, summary: "Revoke a grant", status: 204},

		{method: http.MethodGet, path: "/v1/tokens", handler: s.handleListTokens, auth: true, summary: "The caller's tokens (or a managed user's)", query: []string{"user_id"}, resp: tokensResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/tokens", handler: s.handleCreateToken, auth: true, summary: "Create a token; the secret is shown once", body: identity.TokenCreate{}, resp: identity.TokenCreated{}, status: 201},
		{method: http.MethodDelete, path: "/v1/tokens/:id", handler: s.handleRevokeToken, auth: true, summary: "Revoke a token", status: 204},

		{method: http.MethodGet, path: "/v1/apps", handler: s.handleListApps, auth: true, perm: "any grant", summary: "Light apps owned in the caller's subtrees", query: []string{"status", "owner"}, resp: appsResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps", handler: s.handleCreateApp, auth: true, perm: identity.PermAppCreate, summary: "Register a light app (draft)", body: apps.Create{}, resp: apps.App{}, status: 201},
		{method: http.MethodGet, path: "/v1/apps/:id", handler: s.handleGetApp, auth: true, perm: "any grant", summary: "One light app", resp: apps.App{}, status: 200},
		{method: http.MethodPatch, path: "/v1/apps/:id", handler: s.handleUpdateApp, auth: true, perm: identity.PermAppCreate, summary: "Edit a light app", body: apps.Update{}, resp: apps.App{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/submit", handler: s.transition(apps.ActionSubmit), auth: true, perm: identity.PermAppPublish, summary: "Submit for review", body: commentRequest{}, resp: apps.App{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/approve", handler: s.transition(apps.ActionApprove), auth: true, perm: identity.PermAppReview, summary: "Approve: the app goes online", body: commentRequest{}, resp: apps.App{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/reject", handler: s.transition(apps.ActionReject), auth: true, perm: identity.PermAppReview, summary: "Reject back to draft (comment required)", body: commentRequest{}, resp: apps.App{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/offline", handler: s.transition(apps.ActionOffline), auth: true, perm: identity.PermAppPublish, summary: "Take an online app offline", body: commentRequest{}, resp: apps.App{}, status: 200},
		{method: http.MethodGet, path: "/v1/apps/:id/history", handler: s.handleAppHistory, auth: true, perm: "any grant", summary: "Lifecycle transitions", resp: transitionsResponse{}, status: 200},

		{method: http.MethodGet, path: "/v1/audit", handler: s.handleListAudit, auth: true, perm: identity.PermAuditRead, summary: "Audit entries in the caller's subtrees", query: []string{"after_seq", "limit"}, resp: auditResponse{}, status: 200},
		{method: http.MethodGet, path: "/v1/audit/verify", handler: s.handleVerifyAudit, auth: true, perm: identity.PermAuditRead, summary: "Verify the audit hash chain (root only)", resp: audit.VerifyResult{}, status: 200},

		// Hot update: keys, files, bundles, channels, releases (docs/HOTUPDATE.md).
		{method: http.MethodGet, path: "/v1/orgs/:id/keys", handler: s.handleListKeys, auth: true, perm: "any grant", summary: "Signing keys registered on an organisation", resp: keysResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/orgs/:id/keys", handler: s.handleCreateKey, auth: true, perm: identity.PermAppPublish, summary: "Register a department's public signing key", body: releases.KeyCreate{}, resp: releases.SigningKey{}, status: 201},
		{method: http.MethodPost, path: "/v1/keys/:key_id/retire", handler: s.handleRetireKey, auth: true, perm: identity.PermAppPublish, summary: "Retire a signing key", resp: releases.SigningKey{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/blobs/missing", handler: s.handleMissingBlobs, auth: true, perm: identity.PermAppPublish, summary: "Which file hashes the platform lacks", body: hashesRequest{}, resp: missingResponse{}, status: 200},
		{method: http.MethodPut, path: "/v1/apps/:id/blobs/:sha256", handler: s.handlePutBlob, auth: true, perm: identity.PermAppPublish, summary: "Upload one bundle file (raw or gzip), stored by its SHA-256", rawBody: "application/octet-stream", bodyLimit: hotupdate.DefaultLimits().MaxFileSize, resp: blobResponse{}, status: 201},
		{method: http.MethodPost, path: "/v1/apps/:id/bundles", handler: s.handleCreateBundle, auth: true, perm: identity.PermAppPublish, summary: "Register a signed bundle whose files are uploaded", body: hotupdate.Envelope{}, resp: releases.Bundle{}, status: 201},
		{method: http.MethodGet, path: "/v1/apps/:id/bundles", handler: s.handleListBundles, auth: true, perm: "any grant", summary: "An app's bundles", resp: bundlesResponse{}, status: 200},
		{method: http.MethodGet, path: "/v1/apps/:id/channels", handler: s.handleListChannels, auth: true, perm: "any grant", summary: "An app's release channels", resp: channelsResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/channels", handler: s.handleCreateChannel, auth: true, perm: identity.PermAppPublish, summary: "Create a release channel", body: releases.ChannelCreate{}, resp: releases.Channel{}, status: 201},
		{method: http.MethodPost, path: "/v1/apps/:id/releases", handler: s.handleCreateRelease, auth: true, perm: identity.PermAppPublish, summary: "Release a bundle on a channel", body: releases.ReleaseCreate{}, resp: releases.Release{}, status: 201},
		{method: http.MethodGet, path: "/v1/apps/:id/releases", handler: s.handleListReleases, auth: true, perm: "any grant", summary: "An app's releases, newest first", query: []string{"channel"}, resp: releasesResponse{}, status: 200},
		{method: http.MethodGet, path: "/v1/releases/:id", handler: s.handleGetRelease, auth: true, perm: "any grant", summary: "One release with its report counts", resp: releases.Release{}, status: 200},
		{method: http.MethodPost, path: "/v1/releases/:id/rollout", handler: s.handleRollout, auth: true, perm: identity.PermAppPublish, summary: "Change a release's rollout share", body: rolloutRequest{}, resp: releases.Release{}, status: 200},
		{method: http.MethodPost, path: "/v1/releases/:id/pause", handler: s.releaseAction(func(s *server, c echo.Context) (releases.Release, error) {
			return s.Releases.Pause(c.Request().Context(), principal(c), c.Param("id"))
		}), auth: true, perm: identity.PermAppPublish, summary: "Pause a rollout", resp: releases.Release{}, status: 200},
		{method: http.MethodPost, path: "/v1/releases/:id/resume", handler: s.releaseAction(func(s *server, c echo.Context) (releases.Release, error) {
			return s.Releases.Resume(c.Request().Context(), principal(c), c.Param("id"))
		}), auth: true, perm: identity.PermAppPublish, summary: "Resume a paused or halted rollout", resp: releases.Release{}, status: 200},
		{method: http.MethodPost, path: "/v1/releases/:id/approve", handler: s.releaseAction(func(s *server, c echo.Context) (releases.Release, error) {
			return s.Releases.Approve(c.Request().Context(), principal(c), c.Param("id"))
		}), auth: true, perm: identity.PermAppReview, summary: "Approve a production release waiting for review", resp: releases.Release{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/channels/:channel/rollback", handler: s.handleRollback, auth: true, perm: identity.PermAppPublish, summary: "Roll a channel back", body: rollbackRequest{}, resp: releases.Release{}, status: 200},
		{method: http.MethodPost, path: "/v1/apps/:id/promote", handler: s.handlePromote, auth: true, perm: identity.PermAppPublish, summary: "Promote a release to another channel", body: releases.PromoteRequest{}, resp: releases.Release{}, status: 201},
		{method: http.MethodGet, path: "/v1/apps/:id/release-policy", handler: s.handleGetPolicy, auth: true, perm: "any grant", summary: "Whether production releases need review", resp: releases.Policy{}, status: 200},
		{method: http.MethodPut, path: "/v1/apps/:id/release-policy", handler: s.handleSetPolicy, auth: true, perm: identity.PermAppReview, summary: "Set the release review policy", body: releases.Policy{}, resp: releases.Policy{}, status: 200},

		// Unified push (统一消息推送): notices to audiences resolved against the org tree.
		{method: http.MethodPost, path: "/v1/push/preview", handler: s.handlePushPreview, auth: true, perm: identity.PermPushSend, summary: "Count an audience (and name a sample) before sending", body: previewRequest{}, resp: push.Preview{}, status: 200},
		{method: http.MethodPost, path: "/v1/push/notices", handler: s.handleCreateNotice, auth: true, perm: identity.PermPushSend, summary: "Send or schedule a notice (Idempotency-Key makes retries safe; 200 returns the earlier notice)", body: push.NoticeCreate{}, resp: push.Notice{}, status: 201},
		{method: http.MethodGet, path: "/v1/push/notices", handler: s.handleListNotices, auth: true, perm: identity.PermPushSend, summary: "Notices sent for the caller's push.send subtrees, newest first", query: []string{"limit"}, resp: noticesResponse{}, status: 200},
		{method: http.MethodGet, path: "/v1/push/notices/:id", handler: s.handleGetNotice, auth: true, perm: identity.PermPushSend, summary: "One notice", resp: push.Notice{}, status: 200},
		{method: http.MethodGet, path: "/v1/push/notices/:id/stats", handler: s.handleNoticeStats, auth: true, perm: identity.PermPushSend, summary: "Delivery figures: resolved, sent, failed by reason, opened, fallbacks", resp: push.Stats{}, status: 200},
		{method: http.MethodPost, path: "/v1/push/notices/:id/cancel", handler: s.handleCancelNotice, auth: true, perm: identity.PermPushSend, summary: "Cancel a scheduled or sending notice", resp: push.Notice{}, status: 200},
		{method: http.MethodPost, path: "/v1/push/tags", handler: s.handleTagUsers, auth: true, perm: identity.PermPushSend, summary: "Tag users of the caller's subtree for audiences", body: tagRequest{}, resp: tagResponse{}, status: 200},

		// Usage statistics (应用统计分析, docs/STATS.md): reports scoped by the caller's stats.read grants.
		{method: http.MethodGet, path: "/v1/stats/top", handler: s.handleStatsTop(), auth: true, perm: identity.PermStatsRead, summary: "Most-used apps by distinct users, then launches (format=csv for CSV)", query: append(statsQuery, "limit"), resp: statsTopResponse{}, status: 200, csv: true},
		{method: http.MethodGet, path: "/v1/stats/regions", handler: s.handleStatsRegions(), auth: true, perm: identity.PermStatsRead, summary: "Active users per region (level=city|district) per day", query: append(statsQuery, "level"), resp: statsRegionsResponse{}, status: 200, csv: true},
		{method: http.MethodGet, path: "/v1/stats/channels", handler: s.handleStatsChannels(), auth: true, perm: identity.PermStatsRead, summary: "Distinct users and launches per channel (wechat, alipay, govapp, web)", query: statsQuery, resp: statsChannelsResponse{}, status: 200, csv: true},
		{method: http.MethodGet, path: "/v1/stats/trend", handler: s.handleStatsTrend(), auth: true, perm: identity.PermStatsRead, summary: "Per day: active, new and cumulative total users", query: statsQuery, resp: statsTrendResponse{}, status: 200, csv: true},
		{method: http.MethodGet, path: "/v1/stats/active", handler: s.handleStatsActive(), auth: true, perm: identity.PermStatsRead, summary: "Per day: DAU, WAU, MAU and DAU/MAU", query: statsQuery, resp: statsActiveResponse{}, status: 200, csv: true},
		{method: http.MethodGet, path: "/v1/stats/retention", handler: s.handleStatsRetention(), auth: true, perm: identity.PermStatsRead, summary: "Day-1/7/30 retention of each day's new users", query: statsQuery, resp: statsRetentionResponse{}, status: 200, csv: true},
		{method: http.MethodGet, path: "/v1/stats/apps/:id", handler: s.handleStatsApp(), auth: true, perm: identity.PermStatsRead, summary: "One app: launches, pages, JSAPI calls, error rate, update adoption per release", query: []string{"region", "channel", "from", "to", "format"}, resp: statsAppResponse{}, status: 200, csv: true},
		{method: http.MethodGet, path: "/v1/stats/export", handler: s.handleStatsExport, auth: true, perm: identity.PermStatsRead + " (on the province)", summary: "Raw events of from..to as gzip-compressed JSON lines, for a data warehouse", query: []string{"from", "to"}, status: 200},

		// Unified sign-in (统一认证): the OpenID provider and the upstream sign-in pages.
		{method: http.MethodGet, path: "/v1/apps/:id/oidc-client", handler: s.handleGetClient, auth: true, perm: "any grant", summary: "An app's OpenID Connect client registration", resp: auth.Client{}, status: 200},
		{method: http.MethodPut, path: "/v1/apps/:id/oidc-client", handler: s.handleRegisterClient, auth: true, perm: identity.PermAppPublish, summary: "Register the app as an OpenID Connect client (secret shown once)", body: auth.ClientRegistration{}, resp: auth.ClientCreated{}, status: 201},
		{method: http.MethodPost, path: "/v1/auth/container-login", handler: s.handleContainerLogin, public: true, perIPLimit: true, summary: "govapp.login(): a container credential becomes a one-time authorization code for the app", body: containerLoginRequest{}, resp: containerLoginResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/auth/phone/code", handler: s.handlePhoneCode, public: true, perIPLimit: true, summary: "Text a verification code to the signed-in citizen's phone (citizen's access token)", body: phoneCodeRequest{}, resp: phoneResponse{}, status: 202},
		{method: http.MethodPost, path: "/v1/auth/phone/verify", handler: s.handlePhoneVerify, public: true, perIPLimit: true, summary: "Confirm the code: the phone becomes verified and links sign-ins through other channels", body: phoneVerifyRequest{}, resp: phoneResponse{}, status: 200},
		{method: http.MethodGet, path: "/v1/apps/:id/bridge", handler: s.handleGetBridge, auth: true, perm: "any grant", summary: "Domains an app's pages may call the container bridges from", resp: bridge.Settings{}, status: 200},
		{method: http.MethodPut, path: "/v1/apps/:id/bridge", handler: s.handleSetBridge, auth: true, perm: identity.PermAppPublish, summary: "Set the domains of an app's pages", body: bridge.Settings{}, resp: bridge.Settings{}, status: 200},
		{method: http.MethodGet, path: "/v1/orgs/:id/wechat-account", handler: s.handleGetAccount, auth: true, perm: "any grant", summary: "A department's own WeChat official account (no secret)", resp: bridge.Account{}, status: 200},
		{method: http.MethodPut, path: "/v1/orgs/:id/wechat-account", handler: s.handleSetAccount, auth: true, perm: identity.PermOrgAdmin, summary: "Bring the department's own official account (secret stored encrypted)", body: bridge.AccountSet{}, resp: bridge.Account{}, status: 200},
		{method: http.MethodGet, path: "/v1/bridge/wechat/signature", handler: s.handleWeChatSignature, public: true, summary: "wx.config signature for a page of an online app (declared APIs only, registered domains only)", query: []string{"app_id", "url", "apis"}, resp: bridge.Signature{}, status: 200},
		{method: http.MethodPost, path: "/v1/bridge/alipay/notify", handler: s.handleAlipayNotify, public: true, external: true, summary: "Alipay asynchronous notifications (RSA2-verified, idempotent)", status: 200},
		{method: "ANY", path: "/oidc/*", handler: s.handleOIDC, public: true, external: true, summary: "OpenID Connect provider (discovery at /oidc/.well-known/openid-configuration)", status: 200},
		{method: http.MethodGet, path: "/auth/login", handler: s.handleLogin, public: true, external: true, summary: "Sign-in method choice", status: 200},
		{method: http.MethodPost, path: "/auth/login/password", handler: s.handlePasswordLogin, public: true, external: true, perIPLimit: true, summary: "Staff password sign-in (form)", status: 302},
		{method: http.MethodGet, path: "/auth/login/:provider", handler: s.handleLoginUpstream, public: true, external: true, summary: "Start an upstream sign-in", status: 302},
		{method: http.MethodGet, path: "/auth/callback/:provider", handler: s.handleLoginCallback, public: true, external: true, summary: "Upstream sign-in callback", status: 302},

		// Cloud dev sessions (govapp dev --cloud).
		{method: http.MethodPost, path: "/v1/dev/sessions", handler: s.handleCreateDevSession, auth: true, perm: identity.PermAppCreate, summary: "Open a cloud dev session for an app", body: devSessionRequest{}, resp: devrelay.Session{}, status: 201},
		{method: http.MethodPut, path: "/v1/dev/sessions/:id/files", handler: s.handleSyncDevSession, auth: true, summary: "Point the session at a new dev build (files uploaded by hash); phones reload", body: devrelay.Sync{}, resp: devrelay.Session{}, status: 200},
		{method: http.MethodDelete, path: "/v1/dev/sessions/:id", handler: s.handleDeleteDevSession, auth: true, summary: "End a dev session", status: 204},
		{method: http.MethodGet, path: "/v1/dev/sessions/:id/logs", handler: s.handleDevLogs, auth: true, external: true, summary: "WebSocket: the phones' console, errors and network log", status: 101},
		{method: http.MethodGet, path: "/d/:id/__govapp/events", handler: s.handleDevEvents, public: true, external: true, summary: "A phone's event stream in a dev session (reloads)", status: 200},
		{method: http.MethodPost, path: "/d/:id/__govapp/log", handler: s.handleDevLog, public: true, external: true, perIPLimit: true, summary: "A phone's console, errors and requests in a dev session", status: 204},
		{method: http.MethodGet, path: "/d/:id/*", handler: s.handleDevFile, public: true, external: true, summary: "A dev session's build (unguessable URL, expires)", status: 200},

		// Devices and citizens (no token).
		{method: http.MethodGet, path: "/v1/runtime/apps/:id/update", handler: s.handleUpdateCheck, public: true, summary: "Update check: which bundle this device should run", query: []string{"channel", "bundle", "container", "container_version", "device", "region"}, resp: releases.CheckResponse{}, status: 200},
		{method: http.MethodGet, path: "/v1/runtime/files/:sha256", handler: s.handleFile, public: true, summary: "A bundle file by hash (immutable, Range)", status: 200},
		{method: http.MethodPost, path: "/v1/runtime/reports", handler: s.handleReport, public: true, perIPLimit: true, summary: "A device's install/ready/failure report", body: releases.ReportIn{}, resp: reportAccepted{}, status: 202},
		{method: http.MethodGet, path: "/a/:id/", handler: s.handleAppLoader, public: true, summary: "H5 loader page of an online app (never cached)", status: 200},
		{method: http.MethodGet, path: "/a/:id/b/:bundle/*", handler: s.handleBundleFile, public: true, summary: "A file of a released bundle (immutable)", status: 200},
		{method: http.MethodPost, path: "/v1/runtime/push/devices", handler: s.handleRegisterDevice, public: true, perIPLimit: true, summary: "Register the signed-in citizen's device or channel identity for push (citizen's access token)", body: deviceRequest{}, resp: push.Device{}, status: 201},
		{method: http.MethodGet, path: "/v1/runtime/push/inbox", handler: s.handleInbox, public: true, summary: "The signed-in citizen's notices, newest first (citizen's access token)", query: []string{"limit"}, resp: inboxResponse{}, status: 200},
		{method: http.MethodPost, path: "/v1/runtime/push/inbox/:id/opened", handler: s.handleNoticeOpened, public: true, perIPLimit: true, summary: "Report that the citizen opened a notice (citizen's access token)", resp: okResponse{}, status: 200},
		{method: http.MethodPut, path: "/v1/runtime/push/subscriptions/:app", handler: s.handleSubscribe, public: true, perIPLimit: true, summary: "Subscribe the citizen to a light app's notices (citizen's access token)", resp: okResponse{}, status: 200},
		{method: http.MethodDelete, path: "/v1/runtime/push/subscriptions/:app", handler: s.handleSubscribe, public: true, perIPLimit: true, summary: "Unsubscribe the citizen from a light app's notices (citizen's access token)", resp: okResponse{}, status: 200},
		// Usage events of sdk-js. No per-address limit: a province's phones send 100,000 events/s,
		// many behind one carrier NAT address, and a batch costs little (at most 50 events, 64 KB);
		// a full buffer answers 503 with Retry-After and the phones keep their queues.
		{method: http.MethodPost, path: "/v1/runtime/events", handler: s.handleIngestEvents, public: true, bodyLimit: stats.MaxBatchBytes, summary: "A batch of usage events (≤ 50, ≤ 64 KB); per-item answers; the citizen's access token is optional", body: stats.Batch{}, resp: stats.Result{}, status: 200},
		{method: http.MethodGet, path: "/sandbox/phone", handler: s.handleSandboxPhone, public: true, external: true, summary: "Sandbox mode only: per simulated device, the notices that arrived and the inbox (HTML)", status: 200},
		{method: http.MethodGet, path: "/sdk/:file", handler: s.handleSDK, public: true, summary: "sdk-js browser files: govapp.js (runtime and loader), ed25519.js, sm2.js", status: 200},
	}
}
