package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Identity verification by OpenID Connect (issue 11): the way a deployment
// connects to a government unified identity service. The portal is the
// relying party (go-oidc verifies the ID token's signature, issuer, audience
// and expiry; oauth2 does the code exchange): state and nonce are random
// and kept in the server-side session, and the code is bound to the session
// by PKCE (S256). The provider's verified claims must carry the identity
// number, compared with the account's by its keyed hash, and the name.

// OIDCConfig configures the identity provider; an empty Issuer turns the
// OpenID Connect way off (the organ's check remains).
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // this portal's /identity/oidc/callback, absolute
	// IDNumberClaim is the claim that carries the resident identity number;
	// NameClaim the one with the name ("name" by default).
	IDNumberClaim string
	NameClaim     string
	// Scopes asked besides openid; "profile" by default.
	Scopes []string
}

// Enabled reports whether an identity provider is configured.
func (c OIDCConfig) Enabled() bool { return c.Issuer != "" && c.ClientID != "" && c.RedirectURL != "" }

// Session keys of an OpenID Connect round trip.
const (
	svOIDCState    = "oidc_state"
	svOIDCNonce    = "oidc_nonce"
	svOIDCVerifier = "oidc_verifier"
)

// oidcClient is discovered on first use, so the portal starts even while the
// provider is down.
type oidcClient struct {
	mu       sync.Mutex
	cfg      OIDCConfig
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func (o *oidcClient) get(ctx context.Context) (*oidc.Provider, *oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(dctx, o.cfg.Issuer)
		if err != nil {
			return nil, nil, nil, err
		}
		scopes := append([]string{oidc.ScopeOpenID}, o.cfg.Scopes...)
		o.provider = p
		o.oauth = oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: o.cfg.RedirectURL, Scopes: scopes}
		o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	}
	return o.provider, &o.oauth, o.verifier, nil
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// identityRoutes: the account's identity page and the OpenID Connect round
// trip, for citizens.
func identityRoutes() []route {
	return []route{
		{http.MethodGet, "/identity", citizens, (*Server).handleIdentity},
		{http.MethodPost, "/identity/oidc", citizens, (*Server).handleIdentityOIDCStart},
		{http.MethodGet, "/identity/oidc/callback", citizens, (*Server).handleIdentityOIDCCallback},
	}
}

// identityDone are the ?done= values of the identity page.
var identityDone = map[string]string{"verified": "identity.notice_verified"}

// handleIdentity serves GET /identity: the account's identity level and the
// ways to verify it.
func (s *Server) handleIdentity(c echo.Context) error {
	if err := s.readNoticesAt(c, "/identity"); err != nil { // issue 16
		return err
	}
	return s.renderIdentity(c, http.StatusOK, "")
}

func (s *Server) renderIdentity(c echo.Context, status int, alert string) error {
	u := currentUser(c)
	if s.cfg.OIDC.Enabled() && !u.IdentityVerified {
		// The start form's POST is answered with a redirect to the
		// provider, which the policy's form-action must allow (browsers
		// apply it to the redirect too): the provider's authorization
		// endpoint's origin, or the issuer's before discovery succeeded.
		target := s.cfg.OIDC.Issuer
		if _, oc, _, err := s.oidc.get(c.Request().Context()); err == nil {
			target = oc.Endpoint.AuthURL
		}
		if o, err := url.Parse(target); err == nil && o.Host != "" && (o.Scheme == "https" || o.Scheme == "http") {
			c.Response().Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy,
				"form-action 'self'", "form-action 'self' "+o.Scheme+"://"+o.Host, 1))
		}
	}
	m := views.IdentityModel{Page: s.page(c, "identity.title"), Verified: u.IdentityVerified, Method: u.IdentityMethod,
		At: u.IdentityVerifiedAt, OIDC: s.cfg.OIDC.Enabled(), AlertKey: alert, NoticeKey: identityDone[c.QueryParam("done")]}
	return s.render(c, status, views.IdentityPage(m))
}

// handleIdentityOIDCStart serves POST /identity/oidc: state, nonce and the
// PKCE verifier go into the session, the browser to the provider.
func (s *Server) handleIdentityOIDCStart(c echo.Context) error {
	if !s.cfg.OIDC.Enabled() {
		return portal.NotFound()
	}
	u := currentUser(c)
	if u.IdentityVerified {
		return c.Redirect(http.StatusSeeOther, "/identity")
	}
	_, oc, _, err := s.oidc.get(c.Request().Context())
	if err != nil {
		s.log.Warn("identity provider unreachable", "request_id", requestID(c), "err", err)
		return s.renderIdentity(c, http.StatusBadGateway, "identity.provider_unreachable")
	}
	state, err := randomToken()
	if err != nil {
		return err
	}
	nonce, err := randomToken()
	if err != nil {
		return err
	}
	verifier := oauth2.GenerateVerifier()
	if err := s.setSessionValues(c, map[string]string{svOIDCState: state, svOIDCNonce: nonce, svOIDCVerifier: verifier}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
}

// handleIdentityOIDCCallback serves GET /identity/oidc/callback: the state
// must be the session's (used once), the code is exchanged with the PKCE
// verifier, the ID token verified and its nonce checked; then the claims
// verify the account (store.VerifyIdentity compares number and name).
func (s *Server) handleIdentityOIDCCallback(c echo.Context) error {
	if !s.cfg.OIDC.Enabled() {
		return portal.NotFound()
	}
	u := currentUser(c)
	sess := currentSession(c)
	want, _ := sess.Values[svOIDCState].(string)
	nonce, _ := sess.Values[svOIDCNonce].(string)
	verifier, _ := sess.Values[svOIDCVerifier].(string)
	if err := s.setSessionValues(c, map[string]string{svOIDCState: "", svOIDCNonce: "", svOIDCVerifier: ""}); err != nil {
		return err
	}
	if want == "" || c.QueryParam("state") != want {
		return s.renderIdentity(c, http.StatusBadRequest, "identity.oidc_state")
	}
	if c.QueryParam("error") != "" || c.QueryParam("code") == "" {
		return s.renderIdentity(c, http.StatusBadRequest, "identity.oidc_cancelled")
	}
	ctx := c.Request().Context()
	p, oc, idv, err := s.oidc.get(ctx)
	if err != nil {
		return s.renderIdentity(c, http.StatusBadGateway, "identity.provider_unreachable")
	}
	tok, err := oc.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		s.log.Warn("identity provider: code exchange failed", "request_id", requestID(c), "err", err)
		return s.renderIdentity(c, http.StatusBadGateway, "identity.oidc_failed")
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := idv.Verify(ctx, raw)
	if err != nil || idt.Nonce != nonce {
		s.log.Warn("identity provider: ID token refused", "request_id", requestID(c), "err", err)
		return s.renderIdentity(c, http.StatusBadRequest, "identity.oidc_failed")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return s.renderIdentity(c, http.StatusBadRequest, "identity.oidc_failed")
	}
	if _, ok := claims[s.cfg.OIDC.IDNumberClaim].(string); !ok {
		// The provider may keep the claims for its userinfo endpoint.
		info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || info.Subject != idt.Subject {
			return s.renderIdentity(c, http.StatusBadGateway, "identity.oidc_failed")
		}
		if err := info.Claims(&claims); err != nil {
			return s.renderIdentity(c, http.StatusBadGateway, "identity.oidc_failed")
		}
	}
	number, _ := claims[s.cfg.OIDC.IDNumberClaim].(string)
	name, _ := claims[s.cfg.OIDC.NameClaim].(string)
	if number == "" || name == "" {
		return s.renderIdentity(c, http.StatusUnprocessableEntity, "identity.oidc_claims_missing")
	}
	if n, err := portal.ParseIDNumber(number); err == nil {
		number = n.String()
	}
	_, err = s.db.VerifyIdentity(u.ID, store.IdentityProof{Method: portal.IdentityByOIDC, IDNumber: number, Name: name,
		ActorID: u.ID, ActorRole: u.Role, RequestID: requestID(c)})
	if err != nil {
		var pe *portal.Error
		if errors.As(err, &pe) && pe.Code == portal.CodeConflict {
			return s.renderIdentity(c, http.StatusConflict, pe.Key)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/identity?done=verified")
}

// setSessionValues writes string values into the signed-in session ("" removes).
func (s *Server) setSessionValues(c echo.Context, vals map[string]string) error {
	sess := currentSession(c)
	if sess == nil {
		return fmt.Errorf("handlers: no session")
	}
	for k, v := range vals {
		if v == "" {
			delete(sess.Values, k)
		} else {
			sess.Values[k] = v
		}
	}
	return s.sessions.Save(c.Request(), c.Response(), sess)
}

// deviceCookieMaxAge is how long a browser keeps its device cookie.
const deviceCookieMaxAge = 400 * 24 * 60 * 60

// deviceCookieName is the long-lived random cookie that tells a browser the
// account has signed in from before (issue 11: sign-ins from new devices are
// shown in "who looked at my record" and told to the account). Only its hash
// is stored, per account.
func (s *Server) deviceCookieName() string {
	if s.cfg.SecureCookies {
		return "__Host-device"
	}
	return "device"
}

// noteDevice reads (or gives) the browser's device cookie at a sign-in and
// has the store remember it for the account.
func (s *Server) noteDevice(c echo.Context, acct portal.Account) error {
	token := ""
	if ck, err := c.Cookie(s.deviceCookieName()); err == nil && len(ck.Value) == 43 {
		if _, err := base64.RawURLEncoding.DecodeString(ck.Value); err == nil {
			token = ck.Value
		}
	}
	if token == "" {
		var err error
		if token, err = randomToken(); err != nil {
			return err
		}
	}
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.deviceCookieName(), Value: token, Path: "/", MaxAge: deviceCookieMaxAge,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	_, err := s.db.RecordSignInDevice(acct.ID, acct.Role, token, requestID(c))
	return err
}
