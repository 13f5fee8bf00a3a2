package handlers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
)

// sessionStore is a gorilla/sessions Store kept server-side in bbolt. The
// cookie carries only a random 256-bit id; the database keys the session by the
// id's SHA-256, so a copy of the database yields no usable cookie.
type sessionStore struct {
	db   *store.DB
	cfg  Config
	name string
	opts sessions.Options
}

var _ sessions.Store = (*sessionStore)(nil)

// Values keys; everything else in Values must be a string.
const (
	svAccount = "account_id"
	svRole    = "role"
	svCreated = "created"
	svSeen    = "seen"
	// svSecondFactor is when this session last passed a second factor (Unix
	// nanoseconds as a string); the step-up before sealed records reads it.
	svSecondFactor = "second_factor_at"
	// A login whose password was right and whose second factor is still to
	// come is kept in an anonymous session: the account id, when the password
	// passed, where to go next and how many wrong codes were typed. No
	// session of the account exists until the code passes.
	svPendingAccount = "pending_account"
	svPendingAt      = "pending_at"
	svPendingNext    = "pending_next"
	svPendingTries   = "pending_tries"
)

func newSessionStore(db *store.DB, cfg Config) *sessionStore {
	st := &sessionStore{db: db, cfg: cfg, name: "session"}
	if cfg.SecureCookies {
		st.name = "__Host-session"
	}
	// gorilla/sessions v1.4 defaults to SameSite=None and no HttpOnly: every
	// attribute is set explicitly. MaxAge 0 makes it a browser-session cookie;
	// the idle and absolute limits are enforced here on the server.
	st.opts = sessions.Options{Path: "/", HttpOnly: true, Secure: cfg.SecureCookies, SameSite: http.SameSiteLaxMode}
	return st
}

func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// Get returns the request's session (loading it from the store).
func (st *sessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return st.New(r, name)
}

// New loads the session named by the request's cookie, or a new empty one.
func (st *sessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(st, name)
	opts := st.opts
	sess.Options = &opts
	sess.IsNew = true
	ck, err := r.Cookie(name)
	if err != nil || len(ck.Value) != 43 {
		return sess, nil
	}
	rec, err := st.db.Session(hashID(ck.Value))
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeNotFound {
			return sess, nil
		}
		return sess, err
	}
	sess.ID = ck.Value
	sess.IsNew = false
	sess.Values[svAccount] = rec.AccountID
	sess.Values[svRole] = string(rec.Role)
	sess.Values[svCreated] = rec.CreatedAt
	sess.Values[svSeen] = rec.LastSeen
	for k, v := range rec.Values {
		sess.Values[k] = v
	}
	return sess, nil
}

// Save writes the session to the store and sets the cookie; MaxAge < 0 deletes.
func (st *sessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := st.db.DeleteSession(hashID(sess.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		sess.ID = base64.RawURLEncoding.EncodeToString(b)
	}
	rec := portal.Session{Values: map[string]string{}}
	for k, v := range sess.Values {
		key, _ := k.(string)
		switch key {
		case svAccount:
			rec.AccountID, _ = v.(uint64)
		case svRole:
			role, _ := v.(string)
			rec.Role = portal.Role(role)
		case svCreated:
			rec.CreatedAt, _ = v.(time.Time)
		case svSeen:
			rec.LastSeen, _ = v.(time.Time)
		default:
			if s, ok := v.(string); ok && key != "" {
				rec.Values[key] = s
			}
		}
	}
	if err := st.db.PutSession(hashID(sess.ID), rec); err != nil {
		return err
	}
	if sess.IsNew {
		http.SetCookie(w, sessions.NewCookie(sess.Name(), sess.ID, sess.Options))
	}
	return nil
}

// loadSession attaches the signed-in account, if any, to the request. A session
// past its idle or absolute limit, of a disabled account, or whose account's
// password changed since, is ended here.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isPublicAPI(c) || isStatic(c) {
			return next(c)
		}
		sess, err := s.sessions.New(c.Request(), s.sessions.name)
		if err != nil {
			return err
		}
		c.Set(ctxSession, sess)
		if sess.IsNew {
			return next(c)
		}
		now := s.cfg.Clock()
		id, _ := sess.Values[svAccount].(uint64)
		created, _ := sess.Values[svCreated].(time.Time)
		seen, _ := sess.Values[svSeen].(time.Time)
		if id == 0 {
			// An anonymous session holds only a login waiting for its second
			// factor, and lives no longer than that wait.
			if now.Sub(created) > portal.PendingLoginAge {
				s.endSession(c, sess)
				c.Set(ctxSession, nil)
			}
			return next(c)
		}
		acct, err := s.db.SignedInAccount(id) // decoded again only when the account changed (issue 19)
		if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
			return err
		}
		idle := s.cfg.CitizenIdle
		if acct.Role.IsStaff() {
			idle = s.cfg.StaffIdle
		}
		if err != nil || acct.Disabled || now.Sub(seen) > idle || now.Sub(created) > s.cfg.Absolute {
			s.endSession(c, sess)
			c.Set(ctxSession, nil)
			c.Set(ctxExpired, true)
			if err == nil && !acct.Disabled {
				// A form posted now is kept for this account (keepExpiredForm).
				c.Set(ctxExpiredAccount, acct.ID)
			}
			return next(c)
		}
		c.Set(ctxUser, &acct)
		// The step-up's five minutes count from inactivity, not from the last
		// code (issue 18): an official who keeps working within them is not
		// asked again, so every request renews a factor that is still fresh.
		renewFactor := false
		if age := s.secondFactorAge(c); age > 30*time.Second && age <= portal.StepUpAge {
			sess.Values[svSecondFactor] = strconv.FormatInt(now.UnixNano(), 10)
			renewFactor = true
		}
		// Touch at most every 30 s: the idle limit is minutes, and a write per
		// page view would cost the store for nothing.
		if now.Sub(seen) > 30*time.Second || renewFactor {
			sess.Values[svSeen] = now
			if err := s.sessions.Save(c.Request(), c.Response(), sess); err != nil {
				return err
			}
		}
		return next(c)
	}
}

const (
	ctxExpired        = "session_expired"
	ctxExpiredAccount = "session_expired_account"
)

func isStatic(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) > 8 && p[:8] == "/static/" || p == "/healthz" || p == "/readyz"
}

// currentUser is the signed-in account, nil for a visitor.
func currentUser(c echo.Context) *portal.Account {
	u, _ := c.Get(ctxUser).(*portal.Account)
	return u
}

func currentSession(c echo.Context) *sessions.Session {
	s, _ := c.Get(ctxSession).(*sessions.Session)
	return s
}

// startSession signs the account in with a fresh session id: any session the
// browser already had is deleted, so a planted id is worthless (fixation).
func (s *Server) startSession(c echo.Context, acct portal.Account) error {
	if old := currentSession(c); old != nil && !old.IsNew {
		if err := s.db.DeleteSession(hashID(old.ID)); err != nil {
			return err
		}
	}
	sess := sessions.NewSession(s.sessions, s.sessions.name)
	opts := s.sessions.opts
	sess.Options = &opts
	sess.IsNew = true
	now := s.cfg.Clock()
	sess.Values[svAccount] = acct.ID
	sess.Values[svRole] = string(acct.Role)
	sess.Values[svCreated] = now
	sess.Values[svSeen] = now
	sess.Values[svDevice] = deviceSummary(c.Request().UserAgent())
	if err := s.sessions.Save(c.Request(), c.Response(), sess); err != nil {
		return err
	}
	c.Set(ctxSession, sess)
	c.Set(ctxUser, &acct)
	return nil
}

// startPendingLogin keeps a login whose password was right in a fresh
// anonymous session until its second factor passes; any session the browser
// had is deleted, as at a full login.
func (s *Server) startPendingLogin(c echo.Context, acct portal.Account, next string) error {
	if old := currentSession(c); old != nil && !old.IsNew {
		if err := s.db.DeleteSession(hashID(old.ID)); err != nil {
			return err
		}
	}
	sess := sessions.NewSession(s.sessions, s.sessions.name)
	opts := s.sessions.opts
	sess.Options = &opts
	sess.IsNew = true
	now := s.cfg.Clock()
	sess.Values[svAccount] = uint64(0)
	sess.Values[svCreated] = now
	sess.Values[svSeen] = now
	sess.Values[svPendingAccount] = strconv.FormatUint(acct.ID, 10)
	sess.Values[svPendingAt] = strconv.FormatInt(now.UnixNano(), 10)
	sess.Values[svPendingNext] = next
	sess.Values[svPendingTries] = "0"
	if err := s.sessions.Save(c.Request(), c.Response(), sess); err != nil {
		return err
	}
	c.Set(ctxSession, sess)
	return nil
}

// pendingLogin is the account waiting for its second factor in this browser,
// 0 when none (or when it waited too long).
func (s *Server) pendingLogin(c echo.Context) (id uint64, next string, tries int) {
	sess := currentSession(c)
	if sess == nil || sess.IsNew {
		return 0, "", 0
	}
	if acct, _ := sess.Values[svAccount].(uint64); acct != 0 {
		return 0, "", 0
	}
	str := func(k string) string { v, _ := sess.Values[k].(string); return v }
	id, err := strconv.ParseUint(str(svPendingAccount), 10, 64)
	if err != nil {
		return 0, "", 0
	}
	at, err := strconv.ParseInt(str(svPendingAt), 10, 64)
	if err != nil || s.cfg.Clock().Sub(time.Unix(0, at)) > portal.PendingLoginAge {
		return 0, "", 0
	}
	tries, _ = strconv.Atoi(str(svPendingTries))
	return id, str(svPendingNext), tries
}

// markSecondFactor records in the signed-in session that a second factor has
// just passed.
func (s *Server) markSecondFactor(c echo.Context) error {
	sess := currentSession(c)
	if sess == nil {
		return nil
	}
	sess.Values[svSecondFactor] = strconv.FormatInt(s.cfg.Clock().UnixNano(), 10)
	return s.sessions.Save(c.Request(), c.Response(), sess)
}

// secondFactorAge is how long ago this session last passed a second factor;
// a very long time when it never did.
func (s *Server) secondFactorAge(c echo.Context) time.Duration {
	sess := currentSession(c)
	if sess == nil {
		return time.Duration(1<<63 - 1)
	}
	v, _ := sess.Values[svSecondFactor].(string)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Duration(1<<63 - 1)
	}
	return s.cfg.Clock().Sub(time.Unix(0, n))
}

// endSession deletes the session and its cookie.
func (s *Server) endSession(c echo.Context, sess *sessions.Session) {
	sess.Options.MaxAge = -1
	if err := s.sessions.Save(c.Request(), c.Response(), sess); err != nil {
		s.log.Error("end session", "request_id", requestID(c), "err", err)
	}
}
