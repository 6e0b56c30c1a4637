// Package apps is the light-app registry: what each app is, who owns it, where it runs,
// and its lifecycle draft → in_review → online → offline (and back through review), with
// every transition and review decision recorded. Opening and closing services in order
// (网站开设关停的有序管理) is the point, so no state is reached without its record.
package apps

import (
	"errors"
	"time"
)

// Statuses of the lifecycle.
const (
	StatusDraft    = "draft"
	StatusInReview = "in_review"
	StatusOnline   = "online"
	StatusOffline  = "offline"
)

// Containers a light app can run in.
var Containers = []string{"wechat", "alipay", "govapp", "web"}

// JSAPIPermissions are the device features an app may ask the containers for.
var JSAPIPermissions = []string{"location", "camera", "scan", "album", "share", "phone_call", "contacts", "record", "bluetooth", "nfc", "biometric", "file"}

// App is a registered light app.
type App struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	Icon             string    `json:"icon"`
	OwnerNode        string    `json:"owner_node"`
	Category         string    `json:"category"`
	Regions          []string  `json:"regions"`
	Containers       []string  `json:"containers"`
	JSAPIPermissions []string  `json:"jsapi_permissions"`
	Contacts         []Contact `json:"contacts"`
	Status           string    `json:"status"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	SubmittedBy      string    `json:"submitted_by,omitempty"`
	LastReview       *Review   `json:"last_review,omitempty"`

	ownerPath string
}

// OwnerPath is the org path of the owning department, for other domains' permission checks.
func (a App) OwnerPath() string { return a.ownerPath }

// Contact is whom citizens and reviewers reach about an app.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Review is a reviewer's decision.
type Review struct {
	ReviewerID string    `json:"reviewer_id"`
	Decision   string    `json:"decision"`
	Comment    string    `json:"comment"`
	At         time.Time `json:"at"`
}

// Transition is one recorded lifecycle step.
type Transition struct {
	Seq     int64     `json:"seq"`
	AppID   string    `json:"app_id"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	ActorID string    `json:"actor_id"`
	Comment string    `json:"comment"`
	At      time.Time `json:"at"`
}

// Create is the input of Service.Create.
type Create struct {
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

// Update is the input of Service.Update; nil fields stay as they are.
type Update struct {
	Name             *string    `json:"name,omitempty"`
	Description      *string    `json:"description,omitempty"`
	Icon             *string    `json:"icon,omitempty"`
	Category         *string    `json:"category,omitempty"`
	Regions          *[]string  `json:"regions,omitempty"`
	Containers       *[]string  `json:"containers,omitempty"`
	JSAPIPermissions *[]string  `json:"jsapi_permissions,omitempty"`
	Contacts         *[]Contact `json:"contacts,omitempty"`
}

// Domain errors.
var (
	ErrAppNotFound   = errors.New("app not found")
	ErrAppExists     = errors.New("app id taken")
	ErrBadTransition = errors.New("transition not allowed")
	ErrSelfReview    = errors.New("self-review not allowed")
)
