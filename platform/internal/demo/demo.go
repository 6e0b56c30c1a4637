// Package demo seeds a fresh platform: the region tree always (it is the skeleton every
// permission hangs on), the first administrator always, and — unless switched off — demo
// departments, a reviewer and light apps from shared/data/portal-demo.json.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/identity"
)

//go:embed data/regions-zj.json
var regionsZJ []byte

//go:embed data/portal-demo.json
var portalDemo []byte

// Names of the accounts a fresh platform gets.
const (
	AdminName    = "admin"
	ReviewerName = "reviewer"
	// OperatorDept is the platform operator's department (the reviewers' home), under the root.
	OperatorDept = "省大数据发展管理局"
)

// Result tells what a first start created; the tokens are secrets, shown once.
type Result struct {
	FirstStart    bool
	RegionsAdded  int
	AdminToken    string
	ReviewerToken string
	Apps          int
}

// Regions returns the region tree from file, or the embedded Zhejiang tree when file is "".
func Regions(file string) (identity.RegionTree, error) {
	raw := regionsZJ
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return identity.RegionTree{}, fmt.Errorf("regions: %w; fix regions_file (GOVAPP_REGIONS_FILE)", err)
		}
		raw = b
	}
	var t identity.RegionTree
	if err := json.Unmarshal(raw, &t); err != nil {
		return identity.RegionTree{}, fmt.Errorf("regions: %s is not a region tree: %w", file, err)
	}
	if t.Code == "" || t.Level != identity.KindProvince {
		return identity.RegionTree{}, fmt.Errorf("regions: the root must be a province with a code, got level %q code %q", t.Level, t.Code)
	}
	return t, nil
}

// Seed makes sure the regions and the first administrator exist; on the very first start
// (no admin yet) it also creates the demo content unless noDemo.
func Seed(ctx context.Context, ids *identity.Service, reg *apps.Service, tree identity.RegionTree, noDemo bool) (Result, error) {
	var res Result
	err := ids.DB().WithLock(ctx, seedLock, func() error {
		var err error
		res, err = seed(ctx, ids, reg, tree, noDemo)
		return err
	})
	return res, err
}

// seedLock names the advisory lock that lets one of several starting instances seed.
const seedLock = 7245023

func seed(ctx context.Context, ids *identity.Service, reg *apps.Service, tree identity.RegionTree, noDemo bool) (Result, error) {
	var res Result
	var err error
	if res.RegionsAdded, err = ids.LoadRegions(ctx, tree); err != nil {
		return res, err
	}
	if _, err := ids.UserByName(ctx, AdminName); err == nil {
		return res, nil
	} else if !errors.Is(err, identity.ErrUserNotFound) {
		return res, err
	}
	res.FirstStart = true
	sys := identity.SystemPrincipal()
	opDept, err := department(ctx, ids, sys, tree.Code, OperatorDept)
	if err != nil {
		return res, err
	}
	_, admin, err := ids.Bootstrap(ctx, identity.UserCreate{Name: AdminName, DisplayName: "平台管理员", Kind: identity.UserStaff, NodeID: opDept.ID}, "admin", tree.Code, "first-start")
	if errors.Is(err, identity.ErrUserExists) {
		return Result{RegionsAdded: res.RegionsAdded}, nil // another instance beside us did the first start
	}
	if err != nil {
		return res, fmt.Errorf("create the first administrator: %w", err)
	}
	res.AdminToken = admin.Secret
	if noDemo {
		return res, nil
	}
	reviewer, rtok, err := ids.Bootstrap(ctx, identity.UserCreate{Name: ReviewerName, DisplayName: "平台审核员", Kind: identity.UserStaff, NodeID: opDept.ID}, "reviewer", tree.Code, "demo")
	if err != nil {
		return res, fmt.Errorf("demo reviewer: %w", err)
	}
	res.ReviewerToken = rtok.Secret
	reviewerP, err := ids.PrincipalFor(ctx, reviewer.ID)
	if err != nil {
		return res, err
	}
	var content struct {
		Apps []struct {
			Name       string `json:"name"`
			Department string `json:"department"`
			Category   string `json:"category"`
		} `json:"apps_by_users"`
	}
	if err := json.Unmarshal(portalDemo, &content); err != nil {
		return res, fmt.Errorf("demo content: %w", err)
	}
	for i, a := range content.Apps {
		dept, err := department(ctx, ids, sys, tree.Code, a.Department)
		if err != nil {
			return res, err
		}
		id := appIDs[a.Name]
		if id == "" {
			id = fmt.Sprintf("demo-app-%d", i+1)
		}
		if _, err := reg.Create(ctx, sys, apps.Create{
			ID: id, Name: a.Name, OwnerNode: dept.ID, Category: a.Category, Regions: []string{tree.Code},
			Containers: []string{"wechat", "alipay", "govapp", "web"}, JSAPIPermissions: []string{"location", "scan"},
			Description: a.Department + "提供的" + a.Name + "服务（演示数据）",
			Contacts:    []apps.Contact{{Name: a.Department + "办公室", Phone: "0571-12345"}},
		}); err != nil {
			return res, fmt.Errorf("demo app %s: %w", a.Name, err)
		}
		res.Apps++
		// The last app stays a draft, so the demo shows the whole review flow.
		if i == len(content.Apps)-1 {
			continue
		}
		if _, err := reg.Transition(ctx, sys, id, apps.ActionSubmit, "演示数据"); err != nil {
			return res, err
		}
		if _, err := reg.Transition(ctx, reviewerP, id, apps.ActionApprove, "演示数据，自动通过"); err != nil {
			return res, err
		}
	}
	return res, nil
}

// appIDs gives the demo apps readable ids.
var appIDs = map[string]string{
	"会计考试": "accounting-exam", "公积金查询": "housing-fund", "交通罚款": "traffic-fines", "社保查询": "social-security",
	"公共支付": "public-payment", "企业纳税证明": "tax-certificate", "行政处罚查询": "penalty-lookup",
}

func department(ctx context.Context, ids *identity.Service, sys *identity.Principal, parent, name string) (identity.Node, error) {
	n, err := ids.FindNodeByName(ctx, parent, name)
	if err == nil {
		return n, nil
	}
	if !errors.Is(err, identity.ErrNodeNotFound) {
		return identity.Node{}, err
	}
	n, err = ids.CreateNode(ctx, sys, identity.NodeCreate{ParentID: parent, Kind: identity.KindDepartment, Name: name})
	if errors.Is(err, identity.ErrNodeExists) { // created beside us since we looked
		return ids.FindNodeByName(ctx, parent, name)
	}
	return n, err
}
