package stats

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
)

// portalDemo is a copy of shared/data/portal-demo.json: the deck's figures for the most
// used apps and the active users by city.
//
//go:embed data/portal-demo.json
var portalDemo []byte

// DemoAppIDs are the ids the platform's demo seeding gives the portal-demo apps.
var DemoAppIDs = map[string]string{
	"会计考试": "accounting-exam", "公积金查询": "housing-fund", "交通罚款": "traffic-fines", "社保查询": "social-security",
	"公共支付": "public-payment", "企业纳税证明": "tax-certificate", "行政处罚查询": "penalty-lookup",
}

// DemoChannelShares is how the demo splits users over the channels (the deck gives no
// figures): WeChat first, as in most provinces' portals.
var DemoChannelShares = []Weighted{{"wechat", 45}, {"alipay", 30}, {"govapp", 20}, {"web", 5}}

// DemoDays is the length of the demo's history.
const DemoDays = 30

// DemoConfig is the generator shape of Demo: apps weighted by the deck's user counts,
// people's home cities by its active users per city, channels by DemoChannelShares; one
// person in ten signed out. The history ends with the day end.
func DemoConfig(n int, seed uint64, end Day) (GenConfig, error) {
	var deck struct {
		Apps []struct {
			Name  string `json:"name"`
			Users float64
		} `json:"apps_by_users"`
		Cities []struct {
			Code   string  `json:"code"`
			Active float64 `json:"active_users"`
		} `json:"active_users_by_city"`
	}
	if err := json.Unmarshal(portalDemo, &deck); err != nil {
		return GenConfig{}, fmt.Errorf("stats: demo data: %w", err)
	}
	cfg := GenConfig{Events: n, Days: DemoDays, End: end, Channels: DemoChannelShares, Seed: seed, DeviceShare: 0.1}
	for _, a := range deck.Apps {
		cfg.Apps = append(cfg.Apps, Weighted{DemoAppIDs[a.Name], a.Users})
	}
	for _, c := range deck.Cities {
		cfg.Regions = append(cfg.Regions, Weighted{c.Code, c.Active})
	}
	return cfg, nil
}

// Demo fills the store with about n realistic events over the DemoDays ending yesterday,
// through Ingest like the SDK's batches, and flushes them. The store's app lookup must know
// the DemoAppIDs (the platform's demo seeding registers them). It returns the events accepted.
func Demo(ctx context.Context, s *Store, n int, seed uint64) (int, error) {
	cfg, err := DemoConfig(n, seed, s.Today()-1)
	if err != nil {
		return 0, err
	}
	cfg.Location = s.cfg.Location
	accepted := 0
	err = Generate(cfg, func(b GenBatch) error {
		for {
			res, err := s.Ingest(ctx, b.Batch, b.Origin)
			if err == ErrBusy {
				if err := s.Flush(ctx); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			accepted += res.Accepted
			if res.Rejected > 0 {
				for _, it := range res.Items {
					if it.Status == StatusRejected {
						return fmt.Errorf("stats: demo event refused: %s", it.Error)
					}
				}
			}
			return nil
		}
	})
	if err != nil {
		return accepted, err
	}
	return accepted, s.Flush(ctx)
}
