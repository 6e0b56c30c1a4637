// Package templates embeds the app templates `govapp init` starts from; tests build every
// one, so a template that does not build cannot ship.
package templates

import (
	"embed"
	"io/fs"
)

// FS holds one folder per template, each a complete project with govapp.json whose
// app_id is the placeholder "my-app" (`govapp init` replaces it).
//
//go:embed all:basic all:vue all:query all:microsite
var FS embed.FS

// Default is the template `govapp init` uses without --template.
const Default = "basic"

// NeedsNPM reports whether template name has npm dependencies to install before it builds.
func NeedsNPM(name string) bool {
	_, err := fs.Stat(FS, name+"/package.json")
	return err == nil
}

// PlaceholderAppID is the app_id every template's govapp.json carries.
const PlaceholderAppID = "my-app"

// list is the templates in the order `govapp init` shows them, with their descriptions.
var list = []struct{ name, about string }{
	{"basic", "基础模板：TypeScript，无框架、无需 npm；扫一扫、定位、分享示例"},
	{"vue", "Vue 3：TSX 组件，esbuild 直接构建；需要 Node.js，创建后先运行 npm install"},
	{"query", "微查询：表单查询部门 JSON 数据服务并展示结果（社保、公积金查询等），自带演示数据"},
	{"microsite", "微网站：文章列表与详情页，内容来自 JSON，hash 路由"},
}

// Names lists the templates in FS, the default first.
func Names() []string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = t.name
	}
	return out
}

// Describe is a one-line Chinese description of the template name, or "" when there is no
// such template.
func Describe(name string) string {
	for _, t := range list {
		if t.name == name {
			return t.about
		}
	}
	return ""
}
