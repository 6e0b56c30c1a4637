package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/auth"
)

type (
	containerLoginRequest struct {
		AppID      string `json:"app_id"`
		Container  string `json:"container"`
		Credential string `json:"credential"`
	}
	containerLoginResponse struct {
		Code      string `json:"code"`
		ExpiresIn int    `json:"expires_in"`
	}
)

// issuerOf is the provider's issuer for this request: the configured one, else this host's.
func (s *server) issuerOf(c echo.Context) string {
	if s.Issuer != "" {
		return s.Issuer
	}
	scheme := "http"
	if c.Request().TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host + "/oidc"
}

func (s *server) handleOIDC(c echo.Context) error {
	http.StripPrefix("/oidc", s.Auth.Provider()).ServeHTTP(c.Response(), c.Request())
	return nil
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>统一身份认证</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:420px;margin:15vh auto;padding:0 16px;color:#333}
a{display:block;margin:12px 0;padding:12px;border-radius:6px;background:#1f5fbf;color:#fff;text-align:center;text-decoration:none}</style>
</head><body><h2>统一身份认证</h2><p>请选择登录方式：</p>
{{range .Methods}}<a href="/auth/login/{{.Name}}?id={{$.ID}}">{{.Title}}</a>{{end}}
<form method="post" action="/auth/login/password" style="margin-top:24px">
<input type="hidden" name="id" value="{{.ID}}">
<p>工作人员登录</p>{{if .Error}}<p style="color:#c0392b">{{.Error}}</p>{{end}}
<input name="username" placeholder="用户名" autocomplete="username" style="width:100%;padding:10px;margin:4px 0">
<input name="password" type="password" placeholder="密码" autocomplete="current-password" style="width:100%;padding:10px;margin:4px 0">
<button type="submit" style="width:100%;padding:12px;margin-top:8px">登录</button></form>
</body></html>`))

var methodTitles = map[string]string{"wechat": "微信登录", "alipay": "支付宝登录", "govapp": "政务App登录"}

// handleLogin is where the provider sends a browser to sign in. Inside WeChat or Alipay it
// goes straight to that container's sign-in; elsewhere it offers the methods configured.
func (s *server) handleLogin(c echo.Context) error {
	id := c.QueryParam("id")
	if id == "" {
		return s.h5Error(c, http.StatusBadRequest, "登录请求无效", "缺少登录请求编号，请从应用重新发起登录。")
	}
	kind, _ := containerOf(c.Request().UserAgent())
	for _, m := range s.Auth.Upstreams() {
		if m == kind {
			return c.Redirect(http.StatusFound, "/auth/login/"+m+"?id="+url.QueryEscape(id))
		}
	}
	ms := s.methods()
	return s.renderLogin(c, http.StatusOK, id, ms, "")
}

type loginMethod struct{ Name, Title string }

func (s *server) methods() []loginMethod {
	var ms []loginMethod
	for _, m := range s.Auth.Upstreams() {
		ms = append(ms, loginMethod{m, methodTitles[m]})
	}
	return ms
}

func (s *server) renderLogin(c echo.Context, status int, id string, ms []loginMethod, errText string) error {
	var buf bytes.Buffer
	if err := loginPage.Execute(&buf, map[string]any{"ID": id, "Methods": ms, "Error": errText}); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("X-Frame-Options", "DENY")
	return c.HTMLBlob(status, buf.Bytes())
}

// handlePasswordLogin signs a staff user in with a password (form post from the login page).
func (s *server) handlePasswordLogin(c echo.Context) error {
	id := c.FormValue("id")
	err := s.Auth.PasswordSignIn(c.Request().Context(), id, c.FormValue("username"), c.FormValue("password"))
	switch {
	case err == nil:
		return c.Redirect(http.StatusFound, auth.CallbackURL(s.issuerOf(c), id))
	case errors.Is(err, auth.ErrBadPassword):
		return s.renderLogin(c, http.StatusUnauthorized, id, s.methods(), "用户名或密码错误。")
	case errors.Is(err, auth.ErrLocked):
		return s.renderLogin(c, http.StatusTooManyRequests, id, s.methods(), "密码错误次数过多，账号已临时锁定，请15分钟后再试。")
	}
	return s.authPageError(c, err)
}

type passwordRequest struct {
	Password string `json:"password"`
}

func (s *server) handleSetPassword(c echo.Context) error {
	var in passwordRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.Auth.SetPassword(c.Request().Context(), principal(c), c.Param("id"), in.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *server) callbackURL(c echo.Context, provider string) string {
	return strings.TrimSuffix(s.issuerOf(c), "/oidc") + "/auth/callback/" + provider
}

func (s *server) handleLoginUpstream(c echo.Context) error {
	to, err := s.Auth.StartUpstream(c.Request().Context(), c.QueryParam("id"), c.Param("provider"), s.callbackURL(c, c.Param("provider")))
	if err != nil {
		return s.authPageError(c, err)
	}
	return c.Redirect(http.StatusFound, to)
}

// handleLoginCallback finishes an upstream sign-in (WeChat sends code, Alipay auth_code)
// and resumes the provider, which redirects to the light app with its code.
func (s *server) handleLoginCallback(c echo.Context) error {
	code := c.QueryParam("code")
	if code == "" {
		code = c.QueryParam("auth_code")
	}
	if code == "" {
		code = c.QueryParam("ticket")
	}
	if code == "" {
		return s.h5Error(c, http.StatusBadRequest, "登录未完成", "没有收到授权码：可能取消了授权，请返回应用重新登录。")
	}
	id, err := s.Auth.FinishUpstream(c.Request().Context(), c.Param("provider"), c.QueryParam("state"), code)
	if err != nil {
		return s.authPageError(c, err)
	}
	return c.Redirect(http.StatusFound, auth.CallbackURL(s.issuerOf(c), id))
}

func (s *server) authPageError(c echo.Context, err error) error {
	switch {
	case errors.Is(err, auth.ErrBadState):
		return s.h5Error(c, http.StatusBadRequest, "登录已失效", "登录链接无效或已使用，请返回应用重新登录。")
	case errors.Is(err, auth.ErrAuthRequest):
		return s.h5Error(c, http.StatusBadRequest, "登录已失效", "登录请求不存在或已过期，请返回应用重新登录。")
	case errors.Is(err, auth.ErrUnknownUpstream):
		return s.h5Error(c, http.StatusNotFound, "不支持的登录方式", "平台未开通这种登录方式。")
	case errors.Is(err, auth.ErrUpstream):
		s.Logger.Warn("upstream sign-in failed", "err", err, "request_id", requestID(c))
		return s.h5Error(c, http.StatusBadGateway, "登录失败", "第三方登录暂时不可用，请稍后再试。")
	}
	return err
}

func (s *server) handleContainerLogin(c echo.Context) error {
	var in containerLoginRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	code, exp, err := s.Auth.ContainerLogin(c.Request().Context(), in.AppID, in.Container, in.Credential)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, containerLoginResponse{Code: code, ExpiresIn: exp})
}

func (s *server) handleGetClient(c echo.Context) error {
	cl, err := s.Auth.GetClient(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cl)
}

func (s *server) handleRegisterClient(c echo.Context) error {
	var in auth.ClientRegistration
	if err := bind(c, &in); err != nil {
		return err
	}
	cl, err := s.Auth.RegisterClient(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, cl)
}

type (
	phoneCodeRequest struct {
		Phone string `json:"phone"`
	}
	phoneVerifyRequest struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	phoneResponse struct {
		Status string `json:"status"`
	}
)

// citizen resolves the OIDC access token a light app holds for the signed-in citizen.
func (s *server) citizen(c echo.Context) (string, error) {
	scheme, tok, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", fmt.Errorf("%w: send the citizen's access token from sign-in as \"Authorization: Bearer …\"", errNoToken)
	}
	return s.Auth.SubjectFromAccessToken(c.Request().Context(), strings.TrimSpace(tok))
}

func (s *server) handlePhoneCode(c echo.Context) error {
	var in phoneCodeRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	user, err := s.citizen(c)
	if err != nil {
		return err
	}
	if err := s.Auth.SendPhoneCode(c.Request().Context(), user, in.Phone); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, phoneResponse{Status: "sent"})
}

func (s *server) handlePhoneVerify(c echo.Context) error {
	var in phoneVerifyRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	user, err := s.citizen(c)
	if err != nil {
		return err
	}
	if err := s.Auth.ConfirmPhone(c.Request().Context(), user, in.Phone, in.Code); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, phoneResponse{Status: "verified"})
}

type identitiesResponse struct {
	Identities []auth.Identity `json:"identities"`
}

func (s *server) handleListIdentities(c echo.Context) error {
	ids, err := s.Auth.Identities(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, identitiesResponse{Identities: ids})
}

func (s *server) handleUnlink(c echo.Context) error {
	if err := s.Auth.Unlink(c.Request().Context(), principal(c), c.Param("id"), c.Param("provider")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
