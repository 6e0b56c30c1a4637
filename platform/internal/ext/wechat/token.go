package wechat

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/silenceper/wechat/v2/credential"
)

// defaultTTL is assumed when WeChat omits expires_in; it documents 7200 s.
const defaultTTL = 7200 * time.Second

// key is the TokenStore key of one of this account's credentials.
func (c *Client) key(kind string) string {
	return "wechat:" + c.cfg.AppID + ":" + kind
}

// fresh says whether a credential expiring at exp can still be handed out
// without refreshing first.
func (c *Client) fresh(exp time.Time) bool {
	return c.now().Add(RefreshBefore).Before(exp)
}

// AccessToken returns the account's access_token from the shared cache,
// fetching a new one (under the store's lock) when it is missing or within
// RefreshBefore of expiry. Other packages rarely need it: the Client's
// methods get it themselves.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.accessToken(ctx, "")
}

// accessToken returns a usable access_token. A non-empty stale names a
// token WeChat just rejected: it is replaced even if the cache says it is
// fresh — unless another instance already replaced it, in which case that
// newer token is used, so a rejection seen by ten instances costs one fetch.
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	key := c.key("access_token")
	if stale == "" {
		v, exp, ok, err := c.store.Get(ctx, key)
		if err != nil {
			return "", c.callErr("read cached access_token", err)
		}
		if ok && v != "" && c.fresh(exp) {
			return v, nil
		}
	}
	var tok string
	err := c.store.Lock(ctx, key, func() error {
		v, exp, ok, err := c.store.Get(ctx, key)
		if err != nil {
			return c.callErr("read cached access_token", err)
		}
		usable := ok && v != "" && v != stale
		if usable && c.fresh(exp) {
			tok = v // refreshed by someone else while we waited
			return nil
		}
		newTok, newExp, ferr := c.fetchAccessToken(ctx)
		if ferr != nil {
			if usable && c.now().Before(exp) {
				tok = v // early refresh failed; the old token still works
				return nil
			}
			return ferr
		}
		if err := c.store.Put(ctx, key, newTok, newExp); err != nil {
			return c.callErr("cache access_token", err)
		}
		tok = newTok
		return nil
	})
	return tok, err
}

// fetchAccessToken asks WeChat for a new access_token (GET /cgi-bin/token)
// through silenceper's credential package.
func (c *Client) fetchAccessToken(ctx context.Context) (string, time.Time, error) {
	const op = "get access_token"
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	u := apiURL("/cgi-bin/token", url.Values{
		"grant_type": {"client_credential"},
		"appid":      {c.cfg.AppID},
		"secret":     {c.cfg.Secret},
	})
	res, err := credential.GetTokenFromServerContext(cctx, u)
	if res.ErrCode != 0 {
		return "", time.Time{}, c.apiErr(op, res.ErrCode, res.ErrMsg)
	}
	if err != nil {
		return "", time.Time{}, c.callErr(op, err)
	}
	if res.AccessToken == "" {
		return "", time.Time{}, c.callErr(op, errors.New("answer has no access_token"))
	}
	return res.AccessToken, c.now().Add(ttl(res.ExpiresIn)), nil
}

// ttl turns expires_in into a duration.
func ttl(expiresIn int64) time.Duration {
	if expiresIn <= 0 {
		return defaultTTL
	}
	return time.Duration(expiresIn) * time.Second
}

// withToken runs call with the cached access_token and, when WeChat says
// the token is invalid or expired (40001/42001), refreshes it once and
// retries once. A second rejection is returned as is.
func (c *Client) withToken(ctx context.Context, call func(token string) error) error {
	tok, err := c.accessToken(ctx, "")
	if err != nil {
		return err
	}
	err = call(tok)
	if !errors.Is(err, ErrInvalidCredential) {
		return err
	}
	if tok, err = c.accessToken(ctx, tok); err != nil {
		return err
	}
	return call(tok)
}

// jsapiTicket returns the account's jsapi_ticket from the shared cache,
// fetching it under the store's lock when missing or near expiry. WeChat
// limits getticket calls per day, which is why it is cached like the
// access_token.
func (c *Client) jsapiTicket(ctx context.Context) (string, error) {
	key := c.key("jsapi_ticket")
	v, exp, ok, err := c.store.Get(ctx, key)
	if err != nil {
		return "", c.callErr("read cached jsapi_ticket", err)
	}
	if ok && v != "" && c.fresh(exp) {
		return v, nil
	}
	var ticket string
	err = c.store.Lock(ctx, key, func() error {
		v, exp, ok, err := c.store.Get(ctx, key)
		if err != nil {
			return c.callErr("read cached jsapi_ticket", err)
		}
		usable := ok && v != ""
		if usable && c.fresh(exp) {
			ticket = v
			return nil
		}
		var newTicket string
		var newExp time.Time
		ferr := c.withToken(ctx, func(tok string) error {
			var err error
			newTicket, newExp, err = c.fetchTicket(ctx, tok)
			return err
		})
		if ferr != nil {
			if usable && c.now().Before(exp) {
				ticket = v
				return nil
			}
			return ferr
		}
		if err := c.store.Put(ctx, key, newTicket, newExp); err != nil {
			return c.callErr("cache jsapi_ticket", err)
		}
		ticket = newTicket
		return nil
	})
	return ticket, err
}

// fetchTicket asks WeChat for a jsapi_ticket (GET /cgi-bin/ticket/getticket)
// through silenceper's credential package.
func (c *Client) fetchTicket(ctx context.Context, accessToken string) (string, time.Time, error) {
	const op = "get jsapi_ticket"
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	res, err := credential.GetTicketFromServerContext(cctx, url.QueryEscape(accessToken))
	if res.ErrCode != 0 {
		return "", time.Time{}, c.apiErr(op, res.ErrCode, res.ErrMsg)
	}
	if err != nil {
		return "", time.Time{}, c.callErr(op, err)
	}
	if res.Ticket == "" {
		return "", time.Time{}, c.callErr(op, errors.New("answer has no ticket"))
	}
	return res.Ticket, c.now().Add(ttl(res.ExpiresIn)), nil
}
