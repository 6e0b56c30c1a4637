package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Staff password sign-in: argon2id (RFC 9106's second recommended set, sized for a 2-core
// server), and a lockout after repeated failures so guessing a password is not a race.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32

	MaxPasswordFailures = 5
	PasswordLockout     = 15 * time.Minute
	MinPasswordLen      = 10
)

// ErrBadPassword and ErrLocked are what a sign-in form may say; neither tells whether the
// user name exists.
var (
	ErrBadPassword = errors.New("user name or password wrong")
	ErrLocked      = errors.New("account locked")
)

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func validPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return errs.Invalid("password", "is shorter than %d characters", MinPasswordLen)
	}
	var lower, upper, digit bool
	for _, r := range pw {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !(lower && upper && digit) {
		return errs.Invalid("password", "needs lower- and upper-case letters and a digit")
	}
	return nil
}

// SetPassword sets a staff user's password: the user's administrators may, and so may the
// user for themself.
func (s *Service) SetPassword(ctx context.Context, p *identity.Principal, userID, password string) error {
	if userID != p.User.ID {
		if _, err := s.ids.GetUser(ctx, p, userID); err != nil {
			return err
		}
	}
	u, err := s.ids.User(ctx, userID)
	if err != nil {
		return err
	}
	if u.Kind != identity.UserStaff {
		return errs.Invalid("user", "citizens sign in through WeChat, Alipay or the gov app, not with a password")
	}
	if err := validPassword(password); err != nil {
		return err
	}
	home, err := s.ids.Node(ctx, u.NodeID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_passwords WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_passwords (user_id, hash, failures, updated_at) VALUES ($1, $2, 0, $3)`, userID, hashPassword(password), db.Now()); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "user.password", TargetType: "user", TargetID: userID, NodeID: u.NodeID, NodePath: home.Path,
			After: map[string]string{"password": "changed"}})
		return err
	})
}

// PasswordSignIn completes sign-in request id for a staff user with a password. Wrong
// passwords count towards a lockout; the answer never says whether the name exists.
func (s *Service) PasswordSignIn(ctx context.Context, id, username, password string) error {
	a, err := s.authRequest(ctx, s.db, id)
	if err != nil {
		return err
	}
	if a.IsDone {
		return fmt.Errorf("%w: this sign-in is already complete", ErrAuthRequest)
	}
	u, err := s.ids.UserByName(ctx, username)
	if err != nil {
		checkPassword(hashPassword("x"), password) // same work whether or not the user exists
		return ErrBadPassword
	}
	var hash string
	var failures int
	var locked sql.NullTime
	err = s.db.QueryRowContext(ctx, `SELECT hash, failures, locked_until FROM auth_passwords WHERE user_id = $1`, u.ID).Scan(&hash, &failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(hashPassword("x"), password)
		return ErrBadPassword
	}
	if err != nil {
		return err
	}
	now := db.Now()
	if locked.Valid && now.Before(locked.Time) {
		return fmt.Errorf("%w: too many wrong passwords; try again after %s", ErrLocked, locked.Time.In(time.FixedZone("CST", 8*3600)).Format("15:04"))
	}
	if !checkPassword(hash, password) {
		failures++
		var until any
		if failures >= MaxPasswordFailures {
			until, failures = now.Add(PasswordLockout), 0
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE auth_passwords SET failures = $1, locked_until = $2 WHERE user_id = $3`, failures, until, u.ID); err != nil {
			return err
		}
		return ErrBadPassword
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE auth_passwords SET failures = 0, locked_until = NULL WHERE user_id = $1`, u.ID); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE auth_requests SET user_id = $1, amr = 'pwd', auth_time = $2, done = $3 WHERE id = $4 AND done = $5`, u.ID, now, true, id, false)
	return err
}
