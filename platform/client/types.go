package client

import (
	"encoding/json"
	"time"
)

// Node kinds, as the API spells them, so callers need not repeat string
// literals.
const (
	// KindProvince is a province (省), the root of a regional tree.
	KindProvince = "province"
	// KindCity is a prefecture-level city (市).
	KindCity = "city"
	// KindDistrict is a city district (区).
	KindDistrict = "district"
	// KindCounty is a county or county-level city (县).
	KindCounty = "county"
	// KindDepartment is a government department under a region; apps are
	// owned by departments.
	KindDepartment = "department"
)

// App statuses of the review workflow draft → in_review → online → offline,
// so callers filter and compare without string literals.
const (
	// StatusDraft is a new or rejected app, editable by its developers.
	StatusDraft = "draft"
	// StatusInReview is an app submitted and waiting for a reviewer.
	StatusInReview = "in_review"
	// StatusOnline is an approved app, listed in the portal.
	StatusOnline = "online"
	// StatusOffline is an app taken out of the portal; it can be resubmitted.
	StatusOffline = "offline"
)

// Health is the reply of GET /healthz, which load balancers and the CLI use
// to tell whether a platform is up.
type Health struct {
	Status string `json:"status"`
}

// Identity is the reply of GET /v1/me: who the token belongs to and what it
// may do, so the CLI can confirm a login before saving it.
type Identity struct {
	User   User    `json:"user"`
	Grants []Grant `json:"grants"`
}

// Node is one organisation in the tree that follows the administrative
// divisions (province > city > district/county) with departments under them;
// permissions are granted on nodes and cover their subtree.
type Node struct {
	ID        string    `json:"id"`        // GB/T 2260 code for regions ("330100"), generated for departments ("d-3f9a1c2b")
	ParentID  string    `json:"parent_id"` // empty for the root
	Kind      string    `json:"kind"`      // province | city | district | county | department
	Name      string    `json:"name"`      // e.g. 杭州市, 杭州市数据资源管理局
	Code      string    `json:"code"`      // region code; a department's is its nearest region ancestor's
	Path      string    `json:"path"`      // materialised path from the root, used to indent trees
	CreatedAt time.Time `json:"created_at"`
}

// NodeCreate is the body of POST /v1/orgs.
type NodeCreate struct {
	ParentID string `json:"parent_id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Code     string `json:"code,omitempty"` // required (6 digits) for region kinds
}

// NodeUpdate is the body of PATCH /v1/orgs/{id}; nil fields are left as they
// are, so a rename does not move the node and vice versa.
type NodeUpdate struct {
	Name     *string `json:"name,omitempty"`
	ParentID *string `json:"parent_id,omitempty"`
}

// User is a staff member or a citizen known to the platform.
type User struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`         // login name
	DisplayName   string    `json:"display_name"` // e.g. 张三
	Kind          string    `json:"kind"`         // staff | citizen
	NodeID        string    `json:"node_id"`      // home node
	Region        string    `json:"region"`
	VerifiedLevel int       `json:"verified_level"`
	CreatedAt     time.Time `json:"created_at"`
	Grants        []Grant   `json:"grants,omitempty"` // present on GET /v1/users/{id}
}

// UserCreate is the body of POST /v1/users.
type UserCreate struct {
	Name          string `json:"name"`
	DisplayName   string `json:"display_name,omitempty"`
	Kind          string `json:"kind"`
	NodeID        string `json:"node_id"`
	Region        string `json:"region,omitempty"`
	VerifiedLevel int    `json:"verified_level,omitempty"`
}

// Grant gives a user a role on a node and, through it, on the node's subtree.
type Grant struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Role      string    `json:"role"`
	NodeID    string    `json:"node_id"`
	CreatedAt time.Time `json:"created_at"`
}

// GrantCreate is the body of POST /v1/users/{id}/grants.
type GrantCreate struct {
	Role   string `json:"role"`
	NodeID string `json:"node_id"`
}

// Role is a named bundle of permissions (admin, developer, reviewer, …).
type Role struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Permissions []string `json:"permissions"`
}

// Token describes an API token without its secret; the secret exists only in
// TokenCreated, once.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters of the secret, to recognise it
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// TokenCreate is the body of POST /v1/tokens.
type TokenCreate struct {
	Name          string `json:"name"`
	UserID        string `json:"user_id,omitempty"`         // another user's; empty for one's own
	ExpiresInDays int    `json:"expires_in_days,omitempty"` // 0: the server's default
}

// TokenCreated is the reply of POST /v1/tokens: the token and, this one time,
// its secret.
type TokenCreated struct {
	Token
	Secret string `json:"token"` // "gvt_…"; the server never shows it again
}

// Contact is a person to call about an app.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Review is the last reviewer decision on an app.
type Review struct {
	ReviewerID string    `json:"reviewer_id"`
	Decision   string    `json:"decision"`
	Comment    string    `json:"comment"`
	At         time.Time `json:"at"`
}

// App is a registered light app (轻应用) and where it stands in review.
type App struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	Icon             string    `json:"icon"`
	OwnerNode        string    `json:"owner_node"`
	Category         string    `json:"category"`
	Regions          []string  `json:"regions"`           // region codes where it is offered
	Containers       []string  `json:"containers"`        // ⊆ wechat, alipay, govapp, web
	JSAPIPermissions []string  `json:"jsapi_permissions"` // ⊆ location, camera, scan, …
	Contacts         []Contact `json:"contacts"`
	Status           string    `json:"status"` // draft | in_review | online | offline
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	SubmittedBy      string    `json:"submitted_by,omitempty"`
	LastReview       *Review   `json:"last_review,omitempty"`
}

// AppCreate is the body of POST /v1/apps; a new app starts as a draft.
type AppCreate struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description,omitempty"`
	Icon             string    `json:"icon,omitempty"`
	OwnerNode        string    `json:"owner_node"`
	Category         string    `json:"category"`
	Regions          []string  `json:"regions"`
	Containers       []string  `json:"containers"`
	JSAPIPermissions []string  `json:"jsapi_permissions,omitempty"`
	Contacts         []Contact `json:"contacts,omitempty"`
}

// AppUpdate is the body of PATCH /v1/apps/{id}. Every field is a pointer so
// that only the fields the caller set are sent and the rest stay unchanged;
// a pointer to an empty slice clears a list.
type AppUpdate struct {
	Name             *string    `json:"name,omitempty"`
	Description      *string    `json:"description,omitempty"`
	Icon             *string    `json:"icon,omitempty"`
	Category         *string    `json:"category,omitempty"`
	Regions          *[]string  `json:"regions,omitempty"`
	Containers       *[]string  `json:"containers,omitempty"`
	JSAPIPermissions *[]string  `json:"jsapi_permissions,omitempty"`
	Contacts         *[]Contact `json:"contacts,omitempty"`
}

// Transition is one step of an app's review history.
type Transition struct {
	Seq     int64     `json:"seq"`
	AppID   string    `json:"app_id"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	ActorID string    `json:"actor_id"`
	Comment string    `json:"comment"`
	At      time.Time `json:"at"`
}

// AuditEntry is one link of the tamper-evident audit chain: who did what to
// which target, with the state before and after and the hashes that chain it.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	NodeID     string          `json:"node_id"`
	IP         string          `json:"ip"`
	RequestID  string          `json:"request_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// AuditVerification is the reply of GET /v1/audit/verify: whether the whole
// chain recomputes, how long it is and the hash at its head.
type AuditVerification struct {
	OK      bool   `json:"ok"`
	Entries int64  `json:"entries"`
	Head    string `json:"head"`
}

// ListAppsOptions filters GET /v1/apps; empty fields do not filter.
type ListAppsOptions struct {
	Status string // draft | in_review | online | offline
	Owner  string // owner node ID
}
