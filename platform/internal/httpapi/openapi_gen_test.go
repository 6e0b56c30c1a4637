package httpapi

import (
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the route table")

// TestOpenAPIGolden keeps openapi.json (served at /v1/openapi.json) equal to what the route
// table and the handlers' Go types say; run `go test ./platform/internal/httpapi -run
// OpenAPIGolden -update` after changing a route. Generating it here, not at start-up, keeps
// kin-openapi out of the binary's start-up (every CLI command pays for init).
func TestOpenAPIGolden(t *testing.T) {
	doc, err := openAPIDocument()
	must(t, err)
	got, err := json.MarshalIndent(doc, "", "  ")
	must(t, err)
	got = append(got, '\n')
	if *update {
		must(t, os.WriteFile("openapi.json", got, 0o644))
	}
	if string(got) != string(openAPIJSON) {
		t.Fatal("openapi.json is out of date with the route table; run: go test ./platform/internal/httpapi -run OpenAPIGolden -update")
	}
}

var reParam = regexp.MustCompile(`:([a-z_0-9]+)`)

// openAPIPath turns an echo route ("/a/:id/b/:bundle/*") into an OpenAPI path template.
func openAPIPath(p string) string {
	p = reParam.ReplaceAllString(p, "{$1}")
	if strings.HasSuffix(p, "/*") {
		p = strings.TrimSuffix(p, "*") + "{path}"
	}
	return p
}

// openAPIDocument derives the OpenAPI 3 description from the route table and the Go types
// the handlers encode, so the document cannot drift from the code; a test validates real
// responses against it.
func openAPIDocument() (*openapi3.T, error) {
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: "govapp console API", Version: "v1",
			Description: "政务轻应用开放平台 console API. Errors always have the shape of the Error schema; `code` is stable."},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{"bearer": &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme().WithBearerFormat("gvt_ token")}},
		},
	}
	gen := func(v any) (*openapi3.SchemaRef, error) {
		return openapi3gen.NewSchemaRefForValue(v, nil, openapi3gen.SchemaCustomizer(customizeSchema))
	}
	errSchema, err := gen(apiError{})
	if err != nil {
		return nil, err
	}
	doc.Components.Schemas = openapi3.Schemas{"Error": errSchema}
	errResp := &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("Error").WithJSONSchemaRef(&openapi3.SchemaRef{Ref: "#/components/schemas/Error", Value: errSchema.Value})}

	for _, r := range (&server{}).routes() {
		if r.external {
			continue
		}
		path := openAPIPath(r.path)
		op := openapi3.NewOperation()
		op.Summary = r.summary
		op.OperationID = strings.ToLower(r.method) + strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(path, "/", "_"), "{", ""), "}", "")
		if r.perm != "" {
			op.Description = "Permission: " + r.perm + " (on the target's node or an ancestor)."
		}
		if r.auth {
			op.Security = &openapi3.SecurityRequirements{{"bearer": []string{}}}
		}
		for _, m := range reParam.FindAllStringSubmatch(r.path, -1) {
			op.AddParameter(openapi3.NewPathParameter(m[1]).WithSchema(openapi3.NewStringSchema()))
		}
		if strings.HasSuffix(r.path, "/*") {
			op.AddParameter(openapi3.NewPathParameter("path").WithSchema(openapi3.NewStringSchema()))
		}
		for _, q := range r.query {
			op.AddParameter(openapi3.NewQueryParameter(q).WithSchema(openapi3.NewStringSchema()))
		}
		if r.rawBody != "" {
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).
				WithContent(openapi3.NewContentWithSchema(openapi3.NewStringSchema().WithFormat("binary"), []string{r.rawBody}))}
		}
		if r.body != nil {
			s, err := gen(r.body)
			if err != nil {
				return nil, fmt.Errorf("openapi: %s %s body: %w", r.method, r.path, err)
			}
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithJSONSchemaRef(s)}
		}
		resp := openapi3.NewResponse().WithDescription(http.StatusText(r.status))
		switch {
		case r.resp != nil:
			s, err := gen(r.resp)
			if err != nil {
				return nil, fmt.Errorf("openapi: %s %s response: %w", r.method, r.path, err)
			}
			resp = resp.WithJSONSchemaRef(s)
		case r.path == "/metrics":
			resp.Content = openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{"text/plain"})
		case r.path == "/v1/openapi.json":
			resp = resp.WithJSONSchema(openapi3.NewObjectSchema())
		case r.path == "/v1/runtime/files/:sha256":
			resp.Content = openapi3.NewContentWithSchema(openapi3.NewStringSchema().WithFormat("binary"), []string{"application/octet-stream"})
		case r.path == "/sdk/:file":
			resp.Content = openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{"text/javascript"})
		case strings.HasPrefix(r.path, "/a/"):
			resp.Content = openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{"text/html"})
		case r.path == "/v1/stats/export":
			resp.Content = openapi3.NewContentWithSchema(openapi3.NewStringSchema().WithFormat("binary"), []string{"application/gzip"})
		}
		if r.csv {
			resp.Content["text/csv"] = openapi3.NewMediaType().WithSchema(openapi3.NewStringSchema())
		}
		op.AddResponse(r.status, resp)
		if r.path == "/v1/runtime/apps/:id/update" {
			op.AddResponse(http.StatusNoContent, openapi3.NewResponse().WithDescription("The device runs what it should"))
			op.AddResponse(http.StatusNotModified, openapi3.NewResponse().WithDescription("Same answer as the ETag sent"))
		}
		op.Responses.Set("default", errResp)
		doc.AddOperation(path, r.method, op)
	}
	return doc, nil
}

var (
	rawMessage    = reflect.TypeOf(json.RawMessage{})
	textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// customizeSchema makes the generated schemas strict: fields without omitempty are
// required and objects admit no other properties, so the response test catches drift.
func customizeSchema(_ string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	if t == rawMessage {
		*s = openapi3.Schema{Description: "any JSON value", Nullable: true}
		return nil
	}
	// A number that marshals as text (stats.Day: "2025-04-22") is a string in JSON.
	if k := t.Kind(); k >= reflect.Int && k <= reflect.Uint64 && t.Implements(textMarshaler) {
		*s = *openapi3.NewStringSchema()
		return nil
	}
	// A pointer field without omitempty is written as null when unset.
	if t.Kind() == reflect.Pointer && t.Elem().Kind() != reflect.Struct && tag.Get("json") != "" && !strings.Contains(tag.Get("json"), "omitempty") {
		s.Nullable = true
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
		return nil
	}
	s.Required = requiredFields(t)
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(bool)}
	return nil
}

func requiredFields(t reflect.Type) []string {
	var req []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			req = append(req, requiredFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if !strings.Contains(opts, "omitempty") {
			req = append(req, name)
		}
	}
	return req
}
