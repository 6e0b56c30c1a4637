package apps

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Limits on app fields, chosen for the mobile portal's tiles and the review form.
const (
	MaxNameLen        = 32
	MaxDescriptionLen = 500
	MaxCategoryLen    = 32
	MaxContacts       = 10
	MaxRegions        = 200
	MaxCommentLen     = 1000
	MaxIconLen        = 2048
)

var (
	reAppID = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)
	rePhone = regexp.MustCompile(`^[0-9+][0-9 -]{2,19}$`)
)

// Service is the registry's API.
type Service struct {
	db    *db.DB
	st    store
	ids   *identity.Service
	audit *audit.Store
}

// NewService migrates the registry's tables, registers the guard that stops identity from
// moving or deleting organisations that own apps, and returns the service.
func NewService(ctx context.Context, d *db.DB, ids *identity.Service, a *audit.Store) (*Service, error) {
	if err := d.Migrate(ctx, "apps", migrations); err != nil {
		return nil, err
	}
	s := &Service{db: d, st: store{db: d}, ids: ids, audit: a}
	ids.AddOwnerGuard(func(ctx context.Context, q db.Querier, nodeIDs []string) (int, string, error) {
		n, err := s.st.countOwned(ctx, q, nodeIDs)
		return n, "light app(s)", err
	})
	ids.AddOwnerGuard(func(ctx context.Context, q db.Querier, nodeIDs []string) (int, string, error) {
		n, err := s.st.countServing(ctx, q, nodeIDs)
		return n, "light app(s) that serve those regions (change their regions first)", err
	})
	return s, nil
}

// Get returns an app whose owner lies in one of the principal's subtrees.
func (s *Service) Get(ctx context.Context, p *identity.Principal, id string) (App, error) {
	a, err := s.st.get(ctx, s.db, id)
	if err != nil {
		return App{}, err
	}
	if !p.CanAny(a.ownerPath) {
		return App{}, &identity.ForbiddenError{What: "app " + id + "'s department"}
	}
	return a, nil
}

// Lookup returns an app without an authorisation check, for domains that check permissions
// themselves against App.OwnerPath (releases) or serve citizens (runtime).
func (s *Service) Lookup(ctx context.Context, id string) (App, error) {
	return s.st.get(ctx, s.db, id)
}

// List returns the apps owned inside the principal's subtrees.
func (s *Service) List(ctx context.Context, p *identity.Principal, f ListFilter) ([]App, error) {
	if f.Status != "" && !slices.Contains([]string{StatusDraft, StatusInReview, StatusOnline, StatusOffline}, f.Status) {
		return nil, errs.Invalid("status", "%q is not a status; use draft, in_review, online or offline", f.Status)
	}
	return s.st.list(ctx, s.db, p.Subtrees(""), f)
}

// History returns an app's recorded transitions.
func (s *Service) History(ctx context.Context, p *identity.Principal, id string) ([]Transition, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	return s.st.transitions(ctx, s.db, id)
}

// Create registers a draft app under a department where the principal holds app.create.
func (s *Service) Create(ctx context.Context, p *identity.Principal, in Create) (App, error) {
	if !reAppID.MatchString(in.ID) {
		return App{}, errs.Invalid("id", "%q is not an app id; use 3–40 lowercase letters, digits or '-', starting with a letter (e.g. gjj-query)", in.ID)
	}
	if err := identity.ValidNodeID("owner_node", in.OwnerNode); err != nil {
		return App{}, err
	}
	owner, err := s.ids.Node(ctx, in.OwnerNode)
	if err != nil {
		return App{}, err
	}
	if err := p.Require(identity.PermAppCreate, owner.Path, "organisation "+owner.ID); err != nil {
		return App{}, err
	}
	if owner.Kind != identity.KindDepartment {
		return App{}, errs.Invalid("owner_node", "%s (%s) is a %s; apps belong to a department — pick one under it (`govapp orgs list`)", owner.Name, owner.ID, owner.Kind)
	}
	now := db.Now()
	a := App{ID: in.ID, OwnerNode: owner.ID, ownerPath: owner.Path, Status: StatusDraft, CreatedAt: now, UpdatedAt: now}
	if err := s.apply(ctx, &a, Update{Name: &in.Name, Description: &in.Description, Icon: &in.Icon, Category: &in.Category,
		Regions: &in.Regions, Containers: &in.Containers, JSAPIPermissions: orEmpty(in.JSAPIPermissions), Contacts: orEmptyContacts(in.Contacts)}); err != nil {
		return App{}, err
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.st.insert(ctx, tx, a); err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("%w: an app with id %q is already registered; pick another id", ErrAppExists, a.ID)
			}
			return err
		}
		if err := s.st.addTransition(ctx, tx, Transition{AppID: a.ID, From: "", To: StatusDraft, ActorID: p.User.ID, Comment: "created", At: now}); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "app.create", TargetType: "app", TargetID: a.ID, NodeID: owner.ID, NodePath: owner.Path, After: a})
		return err
	})
	if err != nil {
		return App{}, err
	}
	return a, nil
}

func orEmpty(v []string) *[]string {
	if v == nil {
		v = []string{}
	}
	return &v
}

func orEmptyContacts(v []Contact) *[]Contact {
	if v == nil {
		v = []Contact{}
	}
	return &v
}

// Update edits an app's description; an app under review is locked until decided.
func (s *Service) Update(ctx context.Context, p *identity.Principal, id string, in Update) (App, error) {
	var out App
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := s.st.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := p.Require(identity.PermAppCreate, before.ownerPath, "app "+id+"'s department"); err != nil {
			return err
		}
		if before.Status == StatusInReview {
			return fmt.Errorf("%w: app %s is in review and cannot be edited; wait for the decision or ask the reviewer to reject it", ErrBadTransition, id)
		}
		after := before
		if err := s.apply(ctx, &after, in); err != nil {
			return err
		}
		after.UpdatedAt = db.Now()
		if err := s.st.update(ctx, tx, after); err != nil {
			return err
		}
		if in.Regions != nil {
			if err := s.st.setRegions(ctx, tx, id, after.Regions); err != nil {
				return err
			}
		}
		out = after
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "app.update", TargetType: "app", TargetID: id, NodeID: after.OwnerNode, NodePath: after.ownerPath, Before: before, After: after})
		return err
	})
	return out, err
}

// apply validates the set fields of in and writes them into a.
func (s *Service) apply(ctx context.Context, a *App, in Update) error {
	var err error
	if in.Name != nil {
		if a.Name, err = identity.ValidName("name", *in.Name, MaxNameLen); err != nil {
			return err
		}
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if n := utf8.RuneCountInString(d); n > MaxDescriptionLen {
			return errs.Invalid("description", "is %d characters long; at most %d are allowed", n, MaxDescriptionLen)
		}
		a.Description = d
	}
	if in.Icon != nil {
		if err := validIcon(*in.Icon); err != nil {
			return err
		}
		a.Icon = *in.Icon
	}
	if in.Category != nil {
		if a.Category, err = identity.ValidName("category", *in.Category, MaxCategoryLen); err != nil {
			return err
		}
	}
	if in.Regions != nil {
		if a.Regions, err = s.validRegions(ctx, *in.Regions); err != nil {
			return err
		}
	}
	if in.Containers != nil {
		if a.Containers, err = subset("containers", *in.Containers, Containers, true); err != nil {
			return err
		}
	}
	if in.JSAPIPermissions != nil {
		if a.JSAPIPermissions, err = subset("jsapi_permissions", *in.JSAPIPermissions, JSAPIPermissions, false); err != nil {
			return err
		}
	}
	if in.Contacts != nil {
		if err := validContacts(*in.Contacts); err != nil {
			return err
		}
		a.Contacts = *in.Contacts
	}
	return nil
}

func validIcon(icon string) error {
	if icon == "" {
		return nil
	}
	if len(icon) > MaxIconLen {
		return errs.Invalid("icon", "is %d bytes long; at most %d are allowed — host the image and give its URL", len(icon), MaxIconLen)
	}
	if strings.HasPrefix(icon, "/") && !strings.HasPrefix(icon, "//") {
		return nil
	}
	u, err := url.Parse(icon)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errs.Invalid("icon", "%q is not an image URL; use https://… or a path on this platform such as /static/icons/x.png", icon)
	}
	return nil
}

func (s *Service) validRegions(ctx context.Context, regions []string) ([]string, error) {
	if len(regions) == 0 {
		return nil, errs.Invalid("regions", "is empty; name at least one region code the app serves, e.g. 330000 for the whole province")
	}
	if len(regions) > MaxRegions {
		return nil, errs.Invalid("regions", "has %d entries; at most %d are allowed — name a parent region instead", len(regions), MaxRegions)
	}
	out := make([]string, 0, len(regions))
	for i, code := range regions {
		field := fmt.Sprintf("regions[%d]", i)
		if err := identity.ValidRegionCode(field, code); err != nil {
			return nil, err
		}
		n, err := s.ids.Node(ctx, code)
		if err != nil || !n.IsRegion() {
			return nil, errs.Invalid(field, "%s is not a region of this platform's tree; use a code listed by `govapp orgs list`", code)
		}
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out, nil
}

func subset(field string, got, allowed []string, required bool) ([]string, error) {
	if required && len(got) == 0 {
		return nil, errs.Invalid(field, "is empty; use one or more of %s", strings.Join(allowed, ", "))
	}
	out := []string{}
	for i, v := range got {
		if !slices.Contains(allowed, v) {
			return nil, errs.Invalid(fmt.Sprintf("%s[%d]", field, i), "%q is not known; use one of %s", v, strings.Join(allowed, ", "))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func validContacts(cs []Contact) error {
	if len(cs) > MaxContacts {
		return errs.Invalid("contacts", "has %d entries; at most %d are allowed", len(cs), MaxContacts)
	}
	for i, c := range cs {
		f := fmt.Sprintf("contacts[%d]", i)
		if _, err := identity.ValidName(f+".name", c.Name, 32); err != nil {
			return err
		}
		if c.Phone != "" && !rePhone.MatchString(c.Phone) {
			return errs.Invalid(f+".phone", "%q is not a phone number; use digits, spaces, '-' or a leading '+', e.g. 0571-12345678", c.Phone)
		}
		if c.Email != "" && (len(c.Email) > 254 || !strings.Contains(c.Email, "@") || strings.ContainsAny(c.Email, " <>")) {
			return errs.Invalid(f+".email", "%q is not an email address", c.Email)
		}
		if c.Phone == "" && c.Email == "" {
			return errs.Invalid(f, "needs a phone or an email, so reviewers and citizens can reach someone")
		}
	}
	return nil
}

// Action is a lifecycle step.
type Action string

// The lifecycle steps.
const (
	ActionSubmit  Action = "submit"
	ActionApprove Action = "approve"
	ActionReject  Action = "reject"
	ActionOffline Action = "offline"
)

// transitions: which statuses each action starts from, and where it leads.
var transitions = map[Action]struct {
	from []string
	to   string
}{
	ActionSubmit:  {[]string{StatusDraft, StatusOffline}, StatusInReview},
	ActionApprove: {[]string{StatusInReview}, StatusOnline},
	ActionReject:  {[]string{StatusInReview}, StatusDraft},
	ActionOffline: {[]string{StatusOnline}, StatusOffline},
}

// Transition moves an app through its lifecycle. Approval and rejection need app.review on
// the owner, and the reviewer may be neither the submitter nor a member of the owning
// department: a department never approves its own services.
func (s *Service) Transition(ctx context.Context, p *identity.Principal, id string, act Action, comment string) (App, error) {
	tr, ok := transitions[act]
	if !ok {
		return App{}, errs.Invalid("action", "%q is not a lifecycle action", act)
	}
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxCommentLen {
		return App{}, errs.Invalid("comment", "is %d characters long; at most %d are allowed", n, MaxCommentLen)
	}
	if act == ActionReject && comment == "" {
		return App{}, errs.Invalid("comment", "is required when rejecting: tell the department what to change")
	}
	var out App
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := s.st.get(ctx, tx, id)
		if err != nil {
			return err
		}
		what := "app " + id + "'s department"
		switch act {
		case ActionSubmit:
			err = p.Require(identity.PermAppPublish, before.ownerPath, what)
		case ActionApprove, ActionReject:
			err = p.Require(identity.PermAppReview, before.ownerPath, what)
		case ActionOffline:
			if !p.Can(identity.PermAppReview, before.ownerPath) {
				err = p.Require(identity.PermAppPublish, before.ownerPath, what)
			}
		}
		if err != nil {
			return err
		}
		if !slices.Contains(tr.from, before.Status) {
			return fmt.Errorf("%w: app %s is %s; %s works only from %s", ErrBadTransition, id, before.Status, act, strings.Join(tr.from, " or "))
		}
		after := before
		after.Status, after.UpdatedAt = tr.to, db.Now()
		switch act {
		case ActionSubmit:
			after.SubmittedBy = p.User.ID
		case ActionApprove, ActionReject:
			if p.User.ID == before.SubmittedBy {
				return fmt.Errorf("%w: you submitted app %s, so someone else must review it", ErrSelfReview, id)
			}
			if strings.HasPrefix(p.HomePath, before.ownerPath) {
				return fmt.Errorf("%w: you belong to the department that owns app %s; a reviewer from outside it must decide", ErrSelfReview, id)
			}
			decision := "approved"
			if act == ActionReject {
				decision = "rejected"
			}
			after.LastReview = &Review{ReviewerID: p.User.ID, Decision: decision, Comment: comment, At: after.UpdatedAt}
		}
		if err := s.st.update(ctx, tx, after); err != nil {
			return err
		}
		if err := s.st.addTransition(ctx, tx, Transition{AppID: id, From: before.Status, To: after.Status, ActorID: p.User.ID, Comment: comment, At: after.UpdatedAt}); err != nil {
			return err
		}
		out = after
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "app." + string(act), TargetType: "app", TargetID: id, NodeID: after.OwnerNode, NodePath: after.ownerPath, Before: before, After: after})
		return err
	})
	return out, err
}
