package main

import (
	"strings"
	"testing"
)

const mod = "github.com/govapp/govapp"

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		pkg  Package
		want []string // "imp: substring of the message"; empty: no violation
	}{
		{
			name: "echo in httpapi",
			pkg:  Package{ImportPath: mod + "/platform/internal/httpapi", Imports: []string{"github.com/labstack/echo/v4", "net/http"}},
		},
		{
			name: "echo middleware in an httpapi subpackage",
			pkg:  Package{ImportPath: mod + "/platform/internal/httpapi/mw", Imports: []string{"github.com/labstack/echo/v4/middleware"}},
		},
		{
			name: "echo in the platform root",
			pkg:  Package{ImportPath: mod + "/platform", Imports: []string{"github.com/labstack/echo/v4", "net/http"}},
			want: []string{"github.com/labstack/echo/v4: echo may be imported only under platform/internal/httpapi"},
		},
		{
			name: "echo in a domain test",
			pkg:  Package{ImportPath: mod + "/platform/internal/push", TestImports: []string{"github.com/labstack/echo/v4"}},
			want: []string{"github.com/labstack/echo/v4: echo may be imported only"},
		},
		{
			name: "net/http in a domain",
			pkg:  Package{ImportPath: mod + "/platform/internal/push", Imports: []string{"net/http", "context"}},
			want: []string{"net/http: net/http may be imported only by"},
		},
		{
			name: "net/http subpackage in a domain",
			pkg:  Package{ImportPath: mod + "/platform/internal/stats", Imports: []string{"net/http/httputil"}},
			want: []string{"net/http/httputil: net/http may be imported only by"},
		},
		{
			name: "httptest in a domain's tests",
			pkg:  Package{ImportPath: mod + "/platform/internal/push", TestImports: []string{"net/http", "net/http/httptest"}},
		},
		{
			name: "net/http at the edges",
			pkg:  Package{ImportPath: mod + "/platform/internal/ext/wechat", Imports: []string{"net/http"}},
		},
		{
			name: "net/http in blob, devrelay, client, devcli, bench",
			pkg:  Package{ImportPath: mod + "/platform/internal/blob", Imports: []string{"net/http"}},
		},
		{name: "net/http in devrelay", pkg: Package{ImportPath: mod + "/platform/internal/devrelay", Imports: []string{"net/http"}}},
		{name: "net/http in client", pkg: Package{ImportPath: mod + "/platform/client", Imports: []string{"net/http"}}},
		{name: "net/http in devserver", pkg: Package{ImportPath: mod + "/devcli/internal/devserver", Imports: []string{"net/http"}}},
		{name: "net/http in bench", pkg: Package{ImportPath: mod + "/bench", Imports: []string{"net/http"}}},
		{
			name: "net/http in platform/web",
			pkg:  Package{ImportPath: mod + "/platform/web", Imports: []string{"embed", "net/http"}},
			want: []string{"net/http: net/http may be imported only by"},
		},
		{
			name: "net/http in templates",
			pkg:  Package{ImportPath: mod + "/templates", Imports: []string{"net/http"}},
			want: []string{"net/http: net/http may be imported only by"},
		},
		{
			name: "sandbox uses the standard library and itself",
			pkg: Package{ImportPath: mod + "/sandbox/wechat", Imports: []string{
				"net/http", "crypto/sha1", mod + "/sandbox/internal/fake",
			}, TestImports: []string{"net/http/httptest"}},
		},
		{
			name: "sandbox imports the platform",
			pkg:  Package{ImportPath: mod + "/sandbox/alipay", Imports: []string{mod + "/platform/internal/ext/alipay"}},
			want: []string{mod + "/platform/internal/ext/alipay: sandbox fakes the outside world and must not know the platform"},
		},
		{
			name: "sandbox imports hotupdate",
			pkg:  Package{ImportPath: mod + "/sandbox", Imports: []string{mod + "/hotupdate"}},
			want: []string{mod + "/hotupdate: sandbox fakes the outside world"},
		},
		{
			name: "sandbox imports a third party in tests",
			pkg:  Package{ImportPath: mod + "/sandbox/apns", XTestImports: []string{"github.com/sideshow/apns2"}},
			want: []string{"github.com/sideshow/apns2: sandbox may import only the standard library"},
		},
		{
			name: "domain imports a base",
			pkg: Package{ImportPath: mod + "/platform/internal/push", Imports: []string{
				mod + "/platform/internal/identity", mod + "/platform/internal/apps", mod + "/platform/internal/audit",
				mod + "/platform/internal/db", mod + "/platform/internal/errs", mod + "/platform/internal/blob",
				mod + "/platform/internal/ext/apns", mod + "/platform/internal/push/queue", mod + "/hotupdate",
			}, TestImports: []string{mod + "/platform/internal/dbtest"}},
		},
		{
			name: "domain imports another domain",
			pkg:  Package{ImportPath: mod + "/platform/internal/push", Imports: []string{mod + "/platform/internal/stats"}},
			want: []string{mod + "/platform/internal/stats: a domain package may import only the base ones"},
		},
		{
			name: "domain subpackage imports another domain's subpackage",
			pkg:  Package{ImportPath: mod + "/platform/internal/releases/diff", Imports: []string{mod + "/platform/internal/portal/search"}},
			want: []string{mod + "/platform/internal/portal/search: a domain package may import only the base ones"},
		},
		{
			name: "domain imports httpapi",
			pkg:  Package{ImportPath: mod + "/platform/internal/portal", Imports: []string{mod + "/platform/internal/httpapi"}},
			want: []string{mod + "/platform/internal/httpapi: a domain package may import only the base ones"},
		},
		{
			name: "base packages and httpapi are not domains",
			pkg: Package{ImportPath: mod + "/platform/internal/httpapi", Imports: []string{
				mod + "/platform/internal/push", mod + "/platform/internal/stats",
			}},
		},
		{
			name: "demo seeds every domain",
			pkg:  Package{ImportPath: mod + "/platform/internal/demo", Imports: []string{mod + "/platform/internal/push", mod + "/platform/internal/portal"}},
		},
		{
			name: "hotupdate imports the platform",
			pkg:  Package{ImportPath: mod + "/hotupdate", Imports: []string{mod + "/platform/internal/releases"}},
			want: []string{mod + "/platform/internal/releases: hotupdate is the bundle format"},
		},
		{
			name: "hotupdate speaks HTTP",
			pkg:  Package{ImportPath: mod + "/hotupdate/build", Imports: []string{"net/http"}},
			want: []string{"net/http: hotupdate must not speak HTTP"},
		},
		{
			name: "hotupdate touches a database",
			pkg:  Package{ImportPath: mod + "/hotupdate", Imports: []string{"database/sql"}},
			want: []string{"database/sql: hotupdate must not touch a database"},
		},
		{
			name: "hotupdate build imports esbuild",
			pkg:  Package{ImportPath: mod + "/hotupdate/build", Imports: []string{"github.com/evanw/esbuild/pkg/api", mod + "/hotupdate"}},
		},
		{
			name: "wechat root package",
			pkg: Package{ImportPath: mod + "/platform/internal/ext/wechat", Imports: []string{
				"github.com/silenceper/wechat/v2", "github.com/silenceper/wechat/v2/officialaccount",
			}},
			want: []string{"github.com/silenceper/wechat/v2: the root package of silenceper/wechat"},
		},
		{
			name: "other modules' packages are not checked",
			pkg:  Package{ImportPath: "example.com/other", Imports: []string{"github.com/labstack/echo/v4"}},
		},
		{
			name: "one line per import even when two rules apply",
			pkg:  Package{ImportPath: mod + "/hotupdate", Imports: []string{"net/http"}, TestImports: []string{"net/http"}},
			want: []string{"net/http: hotupdate must not speak HTTP"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(mod, []Package{tt.pkg})
			if len(got) != len(tt.want) {
				t.Fatalf("Check = %d violations, want %d:\n%s", len(got), len(tt.want), lines(got))
			}
			for i, w := range tt.want {
				imp, msg, _ := strings.Cut(w, ": ")
				if got[i].Imp != imp || !strings.Contains(got[i].Msg, msg) {
					t.Errorf("violation %d = %s\nwant import %s with %q", i, got[i], imp, msg)
				}
			}
		})
	}
}

func TestViolationString(t *testing.T) {
	vs := Check(mod, []Package{
		{ImportPath: mod + "/platform/internal/stats", Imports: []string{"net/http"}, XTestImports: []string{mod + "/platform/internal/push"}},
	})
	if len(vs) != 2 {
		t.Fatalf("Check = %s", lines(vs))
	}
	// Sorted by import path: github.com/... before net/http.
	if s := vs[0].String(); !strings.HasPrefix(s, "depscheck: platform/internal/stats imports "+mod+"/platform/internal/push (in _test.go files): ") {
		t.Errorf("first = %q", s)
	}
	if s := vs[1].String(); !strings.HasPrefix(s, "depscheck: platform/internal/stats imports net/http: ") {
		t.Errorf("second = %q", s)
	}
}

func TestDecodePackages(t *testing.T) {
	in := `{"ImportPath": "./bench/...", "Error": {"Err": "no such directory"}}
{"ImportPath": "github.com/govapp/govapp/platform", "Imports": ["net/http"], "TestImports": ["testing"]}
{"ImportPath": "github.com/govapp/govapp/platform/broken", "Imports": ["fmt"], "Error": {"Err": "syntax error"}}
`
	pkgs, err := decodePackages(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 || pkgs[0].ImportPath != mod+"/platform" || pkgs[0].Imports[0] != "net/http" || pkgs[1].ImportPath != mod+"/platform/broken" {
		t.Fatalf("decodePackages = %+v", pkgs)
	}
}

func lines(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
	return b.String()
}
