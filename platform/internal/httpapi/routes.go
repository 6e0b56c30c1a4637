package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/identity"
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
	}
}
