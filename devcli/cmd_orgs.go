package devcli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/govapp/govapp/platform/client"
)

// orgsCommands is the table of `govapp orgs …`.
func orgsCommands() []command {
	return []command{
		{"list", "show the organisation tree you hold grants in", runOrgsList},
	}
}

func runOrgs(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "orgs", "Show the organisation tree: regions (省 > 市 > 区/县) and the departments under them.", orgsCommands(), args)
}

func runOrgsList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("orgs list", "[--json]",
		"Show the nodes of the subtrees you hold grants on, indented by depth: name, ID, kind, region code.")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	nodes, err := a.ListOrgs(ctx)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	if len(nodes) == 0 {
		fmt.Fprintln(e.Stdout, "No nodes: you hold no grants yet ('govapp whoami').")
		return ExitOK
	}
	printTree(e, nodes)
	return ExitOK
}

// printTree prints nodes in path order, each name indented two spaces per
// level below the shallowest node shown (a caller granted on a city sees the
// city at the left margin).
func printTree(e *Env, nodes []client.Node) {
	nodes = append([]client.Node(nil), nodes...)
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].Path < nodes[j].Path })
	top := -1
	for _, n := range nodes {
		if d := pathDepth(n.Path); top < 0 || d < top {
			top = d
		}
	}
	t := newTable(e.Stdout)
	t.row("NAME", "ID", "KIND", "CODE")
	for _, n := range nodes {
		indent := strings.Repeat("  ", pathDepth(n.Path)-top)
		t.row(indent+n.Name, n.ID, n.Kind, orDash(n.Code))
	}
	t.flush()
}

// pathDepth counts the segments of a materialised path ("/330000/330100" or
// "330000.330100") less one, so the root is depth 0.
func pathDepth(path string) int {
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '.' })
	return max(len(segs)-1, 0)
}
