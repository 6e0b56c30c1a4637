package devserver

import (
	_ "embed"
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"time"
)

// The simulation panel: the app in a phone-sized frame beside an editor of the mock answers
// sdk-js's container simulation gives (govappSim.setMock), so a developer without a phone can
// try the success, cancel and denied paths of every device call.

//go:embed simpanel.html
var simPanelHTML string

func (s *Server) serveSimPanel(w http.ResponseWriter, r *http.Request) {
	c := r.URL.Query().Get("container")
	ok := false
	for _, sc := range simContainers {
		if sc.id == c && c != "web" {
			ok = true
		}
	}
	if !ok {
		http.Error(w, "choose a simulated container: wechat, alipay, zlb or govapp", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	page := strings.ReplaceAll(simPanelHTML, "{{CONTAINER}}", html.EscapeString(c))
	page = strings.ReplaceAll(page, "{{NAME}}", html.EscapeString(s.cfg.Name))
	_, _ = w.Write([]byte(page))
}

// devWeChatAPIs are the JS-SDK APIs sdk-js may ask wx.config for; the simulated wx accepts any
// complete config, and sdk-js itself refuses calls the app did not declare.
var devWeChatAPIs = []string{"scanQRCode", "getLocation", "openLocation", "chooseImage", "previewImage", "uploadImage",
	"getLocalImgData", "updateAppMessageShareData", "updateTimelineShareData", "closeWindow", "startRecord", "stopRecord"}

// serveDevSignature stands in for the platform's wx.config signature endpoint while developing
// without a platform: the simulation checks the config's shape, not WeChat's signature.
func (s *Server) serveDevSignature(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"appId": "wxdev000000000000", "timestamp": time.Now().Unix(),
		"nonceStr": "govappdev", "signature": "0000000000000000000000000000000000000000", "jsApiList": devWeChatAPIs})
}

// serveDevLogin stands in for the platform's container login: a mock one-time code.
func (s *Server) serveDevLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"code": "dev-login-code", "expires_in": 300})
}
