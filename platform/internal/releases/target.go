package releases

import (
	"errors"
	"strconv"
	"strings"
)

// Kinds of container a device can run a light app in.
var kinds = []string{"wechat", "alipay", "govapp", "web"}

func validKind(k string) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// version is a dotted numeric version, compared numerically part by part.
type version []int

func parseVersion(s string) (version, error) {
	if s == "" {
		return nil, errors.New("empty version")
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return nil, errors.New("more than four parts")
	}
	v := make(version, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 9 {
			return nil, errors.New("not a dotted numeric version such as 3.2.0")
		}
		v[i] = n
	}
	return v, nil
}

func (a version) cmp(b version) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// constraint is "op version" with op one of >=, >, <=, <, = (default =).
type constraint struct {
	op string
	v  version
}

func parseConstraint(s string) (constraint, error) {
	s = strings.TrimSpace(s)
	for _, op := range []string{">=", "<=", ">", "<", "="} {
		if strings.HasPrefix(s, op) {
			v, err := parseVersion(strings.TrimSpace(s[len(op):]))
			return constraint{op, v}, err
		}
	}
	v, err := parseVersion(s)
	return constraint{"=", v}, err
}

func (c constraint) allows(v version) bool {
	r := v.cmp(c.v)
	switch c.op {
	case ">=":
		return r >= 0
	case ">":
		return r > 0
	case "<=":
		return r <= 0
	case "<":
		return r < 0
	}
	return r == 0
}

// regionCovers reports whether region lies in the subtree of target (GB/T 2260: a province
// code ends in 0000, a city's in 00).
func regionCovers(target, region string) bool {
	switch {
	case strings.HasSuffix(target, "0000"):
		return strings.HasPrefix(region, target[:2])
	case strings.HasSuffix(target, "00"):
		return strings.HasPrefix(region, target[:4])
	}
	return region == target
}
