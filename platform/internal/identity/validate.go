package identity

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/govapp/govapp/platform/internal/errs"
)

// MaxNameLen bounds display names of organisations, users and apps (runes).
const MaxNameLen = 64

var (
	reRegionCode = regexp.MustCompile(`^[1-9][0-9]{5}$`)
	reUserName   = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)
	reNodeID     = regexp.MustCompile(`^([1-9][0-9]{5}|d-[0-9a-f]{8})$`)
)

// ValidName checks a human-readable name: present, at most max runes, no control characters.
func ValidName(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errs.Invalid(field, "is required")
	case utf8.RuneCountInString(s) > max:
		return "", errs.Invalid(field, "is %d characters long; at most %d are allowed, shorten it", utf8.RuneCountInString(s), max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", errs.Invalid(field, "contains control characters; remove them")
	}
	return s, nil
}

// ValidRegionCode checks the GB/T 2260 shape: six digits, not starting with 0.
func ValidRegionCode(field, code string) error {
	if !reRegionCode.MatchString(code) {
		return errs.Invalid(field, "%q is not a GB/T 2260 region code; use six digits such as 330100 (杭州市)", code)
	}
	return nil
}

// ValidNodeID checks the shape of an organisation id before touching the database.
func ValidNodeID(field, id string) error {
	if !reNodeID.MatchString(id) {
		return errs.Invalid(field, "%q is not an organisation id; use a region code such as 330100 or a department id such as d-1a2b3c4d (see `govapp orgs list`)", id)
	}
	return nil
}

// newID returns prefix + 8 random hex characters.
func newID(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// parentKinds says under which kinds each kind may sit; the tree follows the divisions.
var parentKinds = map[string][]string{
	KindProvince:   {},
	KindCity:       {KindProvince},
	KindDistrict:   {KindCity},
	KindCounty:     {KindCity},
	KindDepartment: {KindProvince, KindCity, KindDistrict, KindCounty, KindDepartment},
}

// regionCodeFits checks that a region's code continues its parent's (330106 under 330100).
func regionCodeFits(kind, code, parentCode string) bool {
	switch kind {
	case KindCity:
		return code[:2] == parentCode[:2] && code[4:] == "00" && code[2:4] != "00"
	case KindDistrict, KindCounty:
		return code[:4] == parentCode[:4] && code[4:] != "00"
	}
	return true
}
