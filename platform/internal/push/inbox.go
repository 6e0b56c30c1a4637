package push

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// InboxItem is one notice in a user's in-app inbox: the record of truth sdk-js shows, and
// where a content-free (sensitive) push sends the app to read the content.
type InboxItem struct {
	Notice    string     `json:"notice"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	AppID     string     `json:"app_id,omitempty"`
	Link      string     `json:"link,omitempty"`
	Sensitive bool       `json:"sensitive,omitempty"`
	At        time.Time  `json:"at"`
	OpenedAt  *time.Time `json:"opened_at,omitempty"`
}

// Inbox lists a user's notices, newest first; cancelled ones are withdrawn.
func (s *Service) Inbox(ctx context.Context, userID string, limit int) ([]InboxItem, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT n.id, n.spec, i.created_at, i.opened_at FROM push_inbox i
		JOIN push_notices n ON n.id = i.notice_id WHERE i.user_id = $1 AND n.state <> $2
		ORDER BY i.created_at DESC, n.id DESC LIMIT `+fmt.Sprint(limit), userID, StateCancelled)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []InboxItem{}
	for rows.Next() {
		var it InboxItem
		var spec string
		var opened sql.NullTime
		if err := rows.Scan(&it.Notice, &spec, &it.At, &opened); err != nil {
			return nil, err
		}
		var n NoticeCreate
		if err := json.Unmarshal([]byte(spec), &n); err != nil {
			return nil, err
		}
		it.Title, it.Body, it.AppID, it.Link, it.Sensitive, it.At = n.Title, n.Body, n.AppID, n.Link, n.Sensitive, it.At.UTC()
		if opened.Valid {
			t := opened.Time.UTC()
			it.OpenedAt = &t
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// MarkOpened records that the user opened a notice (sdk-js reports it); the first open
// counts.
func (s *Service) MarkOpened(ctx context.Context, userID, noticeID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE push_inbox SET opened_at = COALESCE(opened_at, $1) WHERE notice_id = $2 AND user_id = $3`,
		db.Now(), noticeID, userID)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return ErrNoticeNotFound
	}
	return nil
}

// Subscribe records that a citizen subscribed to a light app's notices (the audience's
// apps criterion); Unsubscribe ends it.
func (s *Service) Subscribe(ctx context.Context, userID, appID string) error {
	if !reID.MatchString(appID) {
		return errs.Invalid("app_id", "%q is not a light-app id", appID)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO push_subscriptions (app_id, user_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (app_id, user_id) DO NOTHING`, appID, userID, db.Now())
	return err
}

// Unsubscribe removes a subscription; unknown ones are not an error.
func (s *Service) Unsubscribe(ctx context.Context, userID, appID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE app_id = $1 AND user_id = $2`, appID, userID)
	return err
}

// TagUsers puts a department's tag on users inside its subtree (the audience's tags
// criterion); it needs push.send on the node, and is audited.
func (s *Service) TagUsers(ctx context.Context, p *identity.Principal, nodeID, tag string, userIDs []string) error {
	if !reTag.MatchString(tag) {
		return errs.Invalid("tag", "%q is not a tag (1–32 letters, digits, _ . -)", tag)
	}
	node, err := s.dir.Node(ctx, nodeID)
	if err != nil {
		return errs.Invalid("node", "node %q does not exist", nodeID)
	}
	if err := p.Require(identity.PermPushSend, node.Path, node.Name); err != nil {
		return err
	}
	if len(userIDs) == 0 || len(userIDs) > MaxTermValues {
		return errs.Invalid("users", "give 1 to %d user ids", MaxTermValues)
	}
	for _, id := range userIDs {
		u, err := s.dir.User(ctx, id)
		if err != nil {
			return errs.Invalid("users", "user %q does not exist", id)
		}
		home, err := s.dir.Node(ctx, homeOf(u))
		if err != nil {
			return err
		}
		if !strings.HasPrefix(home.Path, node.Path) {
			return &ScopeError{Term: "users", Value: "user " + id + " of " + home.Name, Scope: node.Name}
		}
	}
	now := db.Now()
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, id := range userIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO push_tags (node_id, tag, user_id, created_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (node_id, tag, user_id) DO NOTHING`, node.ID, tag, id, now); err != nil {
				return err
			}
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "push.tag", TargetType: "tag", TargetID: tag,
			NodeID: node.ID, NodePath: node.Path, After: map[string]any{"users": userIDs}})
		return err
	})
}
