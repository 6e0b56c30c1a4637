// Package templates embeds the app templates `govapp init` starts from; tests build every
// one, so a template that does not build cannot ship.
package templates

import "embed"

// FS holds one folder per template, each a complete project with govapp.json.
//
//go:embed all:query
var FS embed.FS

// Names lists the templates in FS.
func Names() []string { return []string{"query"} }
