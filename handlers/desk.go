package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The desk (issue 16): GET /cases lists an account's cases — the lawyer's
// dashboard of every client's case, a guardian's, a person's — with the
// cases that need the account's action first, then every case paged at 50
// in a stable order (nearest deadline first). The store reads one page: only
// the summaries shown are decrypted, however many cases the account has.
//
// Search: a client's name (and a case number) is personal data and must not
// travel in a URL, where it would land in logs, history and Referer headers.
// So the search form posts to /cases/search, which keeps the term sealed on
// the server under the SHA-256 of a random cookie (30 minutes) and redirects
// to /cases; the list reads the term back from the cookie. The URL only ever
// carries the page number and the status filter.

// deskSearchMaxRunes bounds a search term.
const deskSearchMaxRunes = 100

func (s *Server) deskSearchCookie() string { return s.cookieName("desksearch") }

// deskSearchToken is the search cookie's value, "" when absent or malformed.
func (s *Server) deskSearchToken(c echo.Context) string {
	ck, err := c.Cookie(s.deskSearchCookie())
	if err != nil || len(ck.Value) != 43 {
		return ""
	}
	return ck.Value
}

func (s *Server) setDeskSearchCookie(c echo.Context, token string, maxAge int) {
	// #nosec G124 -- HttpOnly and SameSite are set; Secure follows Config.SecureCookies (off only with -insecure-cookies)
	c.SetCookie(&http.Cookie{Name: s.deskSearchCookie(), Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// deskSearchable reports whether the account's list offers the search: the
// lawyer's and the guardian's, who follow other people's cases.
func deskSearchable(u *portal.Account) bool {
	return u.Role == portal.RoleLawyer || u.Role == portal.RoleGuardian
}

// deskClientName is the person's name as the list or the case page shows it:
// to the lawyer who filed (R22: acting for the person, entitled to it) and to
// the guardian who filed while the guardianship lasts (R1); "" to everyone
// else (the person knows his own name).
func deskClientName(u *portal.Account, filer, formerGuardian bool, name string) string {
	switch {
	case !filer:
		return ""
	case u.Role == portal.RoleLawyer:
		return name
	case u.Role == portal.RoleGuardian && !formerGuardian:
		return name
	}
	return ""
}

// handleCasesList serves GET /cases (query: page, and for lawyers status).
func (s *Server) handleCasesList(c echo.Context) error {
	return s.deskRender(c, http.StatusOK, views.Form{})
}

// deskRender renders the list; form is the search form's state after a
// refused search.
func (s *Server) deskRender(c echo.Context, status int, form views.Form) error {
	u := currentUser(c)
	lawyer := u.Role == portal.RoleLawyer
	title := "cases.title"
	if lawyer {
		title = "cases.dashboard_title"
	}
	m := views.MyCasesModel{Page: s.page(c, title), Lawyer: lawyer, Statuses: portal.CaseStatuses}
	q := store.DeskQuery{Page: 1, Soon: portal.DeskSoonLimit(s.cfg.Calendar, s.today())}
	if v := c.QueryParam("status"); lawyer && v != "" {
		if st := portal.CaseStatus(v); st.Valid() {
			q.Status, m.Filter = st, v
		} else {
			m.NoticeKey = "cases.filter_unknown"
		}
	}
	if v := c.QueryParam("page"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 {
			q.Page = n
		} else {
			m.NoticeKey = "desk.page_unknown"
		}
	}
	m.Desk.Searchable = deskSearchable(u)
	if m.Desk.Searchable {
		term, err := s.db.DeskSearch(u.ID, s.deskSearchToken(c))
		if err != nil {
			return err
		}
		q.Term, m.Desk.Search = term, term
	}
	m.Desk.SearchForm = form
	if form.Values == nil {
		m.Desk.SearchForm = views.Form{Values: map[string]string{"q": q.Term}}
	}
	v, err := s.db.Desk(u.ID, q)
	if err != nil {
		return err
	}
	m.Total = v.All
	m.Desk.ActionTotal, m.Desk.Page, m.Desk.Pages, m.Desk.Total, m.Desk.Status = v.ActionTotal, v.Page, v.Pages, v.Total, m.Filter
	today := s.today()
	organs := s.casesOrgans()
	for _, r := range v.Action {
		row, ok, err := s.deskRow(u, r, today, organs)
		if err != nil {
			return err
		}
		if ok {
			m.Desk.Action = append(m.Desk.Action, row)
		} else {
			m.Desk.ActionTotal--
		}
	}
	for _, r := range v.Rows {
		row, _, err := s.deskRow(u, r, today, organs)
		if err != nil {
			return err
		}
		m.Rows = append(m.Rows, row)
	}
	if m.Relief, err = s.reliefRows(u.ID); err != nil {
		return err
	}
	return s.render(c, status, views.MyCasesPage(m))
}

// deskRow builds a list row; ok is false when a needs-your-action row has
// no reason the reader may see (an organ's message the account may not
// read yet, issue 11).
func (s *Server) deskRow(u *portal.Account, r store.DeskRow, today portal.Date, organs *casesOrganNames) (views.MyCaseRow, bool, error) {
	organ, err := organs.name(r.Decider)
	if err != nil {
		return views.MyCaseRow{}, false, err
	}
	row := views.MyCaseRow{ID: r.CaseID, Ref: r.Ref, Draft: r.Status == portal.StatusDraft && r.Ref == "",
		Status: r.Status, Due: r.Due, Overdue: !r.Due.IsZero() && today.After(r.Due) && !r.Status.Final(), DueAwaitsCalendar: r.DueAwaitsCalendar,
		Next: casesNextOf(r.Status, r.Due, r.Holders, r.Pending, organ), OrganCaseNo: r.OrganCaseNo,
		Returned: r.Returned, AwaitingReply: r.AwaitingReply, DueSoon: r.DueSoon}
	formerGuardian := false
	if u.Role != portal.RoleLawyer {
		// A person's or guardian's list is short: each row of the page is
		// opened for what only the whole case says (R1, issue 11).
		full, err := s.db.Case(r.CaseID)
		if err != nil {
			return row, false, err
		}
		formerGuardian = s.formerGuardian(u, full, r.Relation)
		if u.Role == portal.RoleGuardian {
			row.GuardianEnded = formerGuardian && full.FiledBy == u.ID
		}
		if row.AwaitingReply && !seesOrganMaterial(u, full, r.Relation) {
			row.AwaitingReply = false
		}
	}
	if !lawyerFiler(u, r.Relation) {
		row.OrganCaseNo = ""
	}
	row.Client = deskClientName(u, r.Relation == store.RelFiler, formerGuardian, r.PersonName)
	return row, row.Returned || row.AwaitingReply || row.DueSoon, nil
}

// lawyerFiler reports whether the row's organ case number is shown: to the
// lawyer and the guardian who filed (they typed it), not on a person's list,
// which stays as it was.
func lawyerFiler(u *portal.Account, rel store.Relation) bool {
	return rel == store.RelFiler && deskSearchable(u)
}

// deskSearchInput is what the search form posts; nothing else is read.
type deskSearchInput struct {
	Term  string
	Clear bool
}

// handleCasesSearch serves POST /cases/search: keeps the search (or clears
// it) on the server and redirects to the list's first page.
func (s *Server) handleCasesSearch(c echo.Context) error {
	u := currentUser(c)
	if !deskSearchable(u) {
		return portal.Forbidden("desk.search_not_offered")
	}
	in := deskSearchInput{Term: strings.TrimSpace(c.FormValue("q")), Clear: c.FormValue("clear") != ""}
	token := s.deskSearchToken(c)
	if in.Clear {
		if token != "" {
			if err := s.db.ClearDeskSearch(u.ID, token); err != nil {
				return err
			}
		}
		s.setDeskSearchCookie(c, "", -1)
		return c.Redirect(http.StatusSeeOther, "/cases")
	}
	fail := func(key string) error {
		return s.deskRender(c, http.StatusUnprocessableEntity, views.Form{Values: map[string]string{"q": in.Term}, Errors: map[string]string{"q": key}})
	}
	switch {
	case in.Term == "":
		return fail("desk.search_empty")
	case !utf8.ValidString(in.Term) || utf8.RuneCountInString(in.Term) > deskSearchMaxRunes:
		return fail("desk.search_too_long")
	}
	if token == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		token = base64.RawURLEncoding.EncodeToString(b)
	}
	if err := s.db.PutDeskSearch(u.ID, token, in.Term); err != nil {
		return err
	}
	s.setDeskSearchCookie(c, token, int(store.DeskSearchTTL.Seconds()))
	return c.Redirect(http.StatusSeeOther, "/cases")
}
