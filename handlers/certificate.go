package handlers

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"rsc.io/qr"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// Proofs of no criminal record (R14). A person asks for one for himself; a
// guardian or lawyer for the person of a case he follows. The police organ
// chosen answers within Policy.Certificate working days, from the official's
// recorded check of the police records (never the portal's own data alone);
// the official sees the sealed records the portal knows, marked as records
// that must not appear (R14). The
// certificate page is printable on one A4 page, with a verification code and
// a QR code to /verify on this host. The code is never put in an address: the
// QR code carries only the address of the verification page, and the code is
// typed (posted) there. Verification is rate-limited per client address.

// Verification tries per client address: a wrong code costs a try like a
// right one, so codes (120 bits) cannot be guessed and the page cannot be
// used to test them in bulk.
const (
	verifyTries  = 20
	verifyWindow = 10 * time.Minute
)

// verifyLimiters holds each server's limiter of verification tries (one per
// Server, so that test servers do not share their budget).
var verifyLimiters sync.Map // *Server -> Limiter

func (s *Server) verifyLimiter() Limiter {
	if v, ok := verifyLimiters.Load(s); ok {
		return v.(Limiter)
	}
	v, _ := verifyLimiters.LoadOrStore(s, s.newLimiter("certificate_verify", verifyTries, verifyWindow))
	return v.(Limiter)
}

// certPerson is someone the signed-in account may ask a certificate for.
type certPerson struct {
	Name, IDNumber string
	DocType        portal.IDDocType // R31: "" the mainland identity card
	Country        string           // a passport's issuing state
}

// certPersonOf is the person with the document doc (R31: any kind).
func certPersonOf(name string, doc portal.IdentityDocument) certPerson {
	p := certPerson{Name: name, IDNumber: doc.Number}
	if !doc.IsResidentID() {
		p.DocType, p.Country = doc.Type, doc.Country
	}
	return p
}

// certPersons lists whom the account may ask for (R14: the person or the
// legal representative): a person's own account asks for himself; a guardian
// for the person of a case he filed, while that person is under 18; a lawyer
// for the person of a case he filed. The form's value is "self" or the case's
// id; the identity number is shown masked.
func (s *Server) certPersons(u *portal.Account) ([]views.CertPersonOption, map[string]certPerson, error) {
	byValue := map[string]certPerson{}
	var opts []views.CertPersonOption
	if u.Role == portal.RoleMinor {
		// Issue 11: a certificate answers from the records the police hold
		// about the number, so only an identity-verified account asks for
		// its own number.
		if !u.IdentityVerified {
			return nil, byValue, nil
		}
		if doc, err := u.Document(); err == nil {
			byValue["self"] = certPersonOf(u.Name, doc)
			opts = append(opts, views.CertPersonOption{Value: "self", Name: u.Name, MaskedID: doc.Masked()})
		}
		return opts, byValue, nil
	}
	list, err := s.db.CasesOfAccount(u.ID)
	if err != nil {
		return nil, nil, err
	}
	today := s.today()
	seen := map[string]bool{}
	for _, sum := range list {
		cs := sum.Case
		if sum.Relation != store.RelFiler || cs.Status == "" || cs.Status == portal.StatusDraft || cs.Ref == "" {
			continue
		}
		if u.Role == portal.RoleGuardian && (!portal.GuardianMayAct(cs, today) || !cs.GuardianshipVerified) {
			continue // R1; issue 11: only once the organ checked the guardianship
		}
		doc, err := cs.PersonDocument()
		if err != nil {
			continue
		}
		domain, key := doc.IndexKey()
		if seen[domain+":"+key] {
			continue
		}
		seen[domain+":"+key] = true
		v := strconv.FormatUint(cs.ID, 10)
		byValue[v] = certPersonOf(cs.PersonName, doc)
		opts = append(opts, views.CertPersonOption{Value: v, Name: cs.PersonName, MaskedID: doc.Masked(), Ref: cs.Ref})
	}
	return opts, byValue, nil
}

// certPolice lists the police organs that issue certificates.
func (s *Server) certPolice() ([]views.CertPoliceOption, error) {
	organs, err := s.db.Organs()
	if err != nil {
		return nil, err
	}
	var out []views.CertPoliceOption
	for _, o := range organs {
		if o.Kind == portal.RolePolice {
			out = append(out, views.CertPoliceOption{ID: o.ID, Name: o.Name})
		}
	}
	return out, nil
}

func (s *Server) renderCertList(c echo.Context, status int, f views.Form, notice string) error {
	u := currentUser(c)
	persons, _, err := s.certPersons(u)
	if err != nil {
		return err
	}
	police, err := s.certPolice()
	if err != nil {
		return err
	}
	list, err := s.db.CertificatesOfAccount(u.ID)
	if err != nil {
		return err
	}
	page := s.page(c, "cert.list_title")
	page.Path = "/certificates"
	m := views.CertListModel{Page: page, Form: f, Persons: persons, Police: police, NoticeKey: notice,
		Days: portal.Policy.Certificate.Value}
	today := s.today()
	for _, cert := range list {
		m.Rows = append(m.Rows, views.CertRow{ID: cert.ID, Ref: cert.Ref, Status: cert.Status, PersonName: cert.PersonName,
			MaskedID: maskID(cert.PersonIDNumber), RequestedAt: cert.RequestedAt, Due: cert.Due, Overdue: cert.Overdue(today),
			DueAwaitsCalendar: cert.DueAwaitsCalendar, AnsweredAt: cert.AnsweredAt, RevokedAt: cert.RevokedAt})
	}
	return s.render(c, status, views.CertListPage(m))
}

// handleCertList serves GET /certificates: the request form and the
// account's requests and certificates.
func (s *Server) handleCertList(c echo.Context) error {
	notice := ""
	if c.QueryParam("done") == "requested" {
		notice = "cert.notice.requested"
	}
	if err := s.readNoticesAt(c, "/certificates"); err != nil { // issue 16
		return err
	}
	return s.renderCertList(c, http.StatusOK, views.Form{Values: map[string]string{}}, notice)
}

// certRequestInput is what the request form posts; nothing else is read.
type certRequestInput struct {
	Person, Police string
}

func (in certRequestInput) values() map[string]string {
	return map[string]string{"person": in.Person, "police": in.Police}
}

// handleCertRequest serves POST /certificates: a request, due within
// Policy.Certificate working days on the official calendar.
func (s *Server) handleCertRequest(c echo.Context) error {
	u := currentUser(c)
	in := certRequestInput{Person: c.FormValue("person"), Police: c.FormValue("police")}
	_, byValue, err := s.certPersons(u)
	if err != nil {
		return err
	}
	police, err := s.certPolice()
	if err != nil {
		return err
	}
	var fe portal.FieldErrors
	person, ok := byValue[in.Person]
	if !ok {
		fe.Add("person", "cert.person_required")
	}
	policeID, err := strconv.ParseUint(in.Police, 10, 64)
	known := false
	for _, o := range police {
		known = known || err == nil && o.ID == policeID
	}
	if !known {
		fe.Add("police", "cert.police_required")
	}
	if len(fe) > 0 {
		return s.renderCertList(c, http.StatusUnprocessableEntity, views.Form{Values: in.values(), Errors: fe}, "")
	}
	db, err := s.submissionStore(c) // outcome.go: a retry creates nothing twice
	if err != nil {
		return err
	}
	_, err = db.RequestCertificate(portal.Certificate{PersonName: person.Name, PersonIDNumber: person.IDNumber,
		PersonDocType: person.DocType, PersonDocCountry: person.Country,
		RequestedBy: u.ID, RequesterRole: u.Role, Capacity: portal.CapacityOf(u.Role), PoliceOrganID: policeID},
		s.cfg.Calendar, requestID(c))
	if err != nil {
		f, ok := formError(err, in.values())
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
		}
		return s.renderCertList(c, status, f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/certificates?done=requested")
}

// verifyURL is the absolute address of the verification page at the
// portal's configured canonical address (Config.PublicURL), never at the
// Host the request named: a holder must not be able to print a genuine
// certificate that points at his own verification site.
func (s *Server) verifyURL() string {
	return s.cfg.PublicURL + "/verify"
}

// qrDataURL renders a QR code of text as an inline PNG (the Content Security
// Policy allows data: images), so that no address ever carries anything but
// the verification page's.
func qrDataURL(text string) (templ.SafeURL, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", portal.Internal(fmt.Errorf("qr: %w", err))
	}
	code.Scale = 4
	return templ.SafeURL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG())), nil
}

// handleCertShow serves GET /certificates/:id: the printable certificate, or
// where the request stands, and any objection. A certificate the account
// does not follow is a 404, like one that does not exist.
func (s *Server) handleCertShow(c echo.Context) error {
	notice := ""
	if c.QueryParam("done") == "objection" {
		notice = "cert.objection.notice.filed"
	}
	return s.renderCertShow(c, http.StatusOK, views.Form{Values: map[string]string{}}, notice)
}

func certObjectionView(o *portal.CertificateObjection, today portal.Date) *views.CertObjectionView {
	if o == nil {
		return nil
	}
	return &views.CertObjectionView{Status: o.Status, Reason: o.Reason, FiledAt: o.FiledAt, Due: o.Due, Overdue: o.Overdue(today), DueAwaitsCalendar: o.DueAwaitsCalendar,
		Extended: o.Extended, Decision: o.Decision, Events: o.Events}
}

func (s *Server) renderCertShow(c echo.Context, status int, f views.Form, notice string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cert, err := s.db.CertificateOfAccount(currentUser(c).ID, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	page := s.page(c, "cert.page_title")
	page.Path = "/certificates/" + strconv.FormatUint(cert.ID, 10) // the language switch returns here after a refused objection
	// R14: the holder's full name and identity number, as on paper.
	m := views.CertificateModel{Page: page, ID: cert.ID, Ref: cert.Ref, Status: cert.Status, HolderName: cert.PersonName,
		HolderID: cert.PersonIDNumber, HolderDoc: cert.PersonDocType, HolderState: cert.PersonDocCountry,
		RequestedAt: cert.RequestedAt, Due: cert.Due, DueAwaitsCalendar: cert.DueAwaitsCalendar, IssuedOn: cert.IssuedOn(),
		IssuingOrgan: cert.IssuingOrgan, Refusal: cert.RefusalKind(), Objection: certObjectionView(cert.Objection, s.today()),
		MayObject: cert.MayObject(), Form: f, NoticeKey: notice}
	if !cert.RevokedAt.IsZero() {
		m.RevokedOn = portal.DateOf(cert.RevokedAt)
	}
	if cert.Status == portal.CertIssued {
		m.Code = portal.GroupVerificationCode(cert.Code)
		m.VerifyURL = s.verifyURL()
		if m.QR, err = qrDataURL(m.VerifyURL); err != nil {
			return err
		}
	}
	return s.render(c, status, views.CertificatePage(m))
}

// handleCertObject serves POST /certificates/:id/objection: the citizen
// objects to the answer (R14); the police organ reviews it within
// Policy.ObjectionReview working days.
func (s *Server) handleCertObject(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	_, err = s.db.FileCertificateObjection(id, reason, *currentUser(c), s.cfg.Calendar, requestID(c))
	if err != nil {
		f, ok := formError(err, map[string]string{"reason": reason})
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
		}
		return s.renderCertShow(c, status, f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/certificates/"+strconv.FormatUint(id, 10)+"?done=objection")
}

var certRefRE = regexp.MustCompile(`^` + portal.CertificateReferencePrefix + `-\d{4}-\d{6}$`)

// renderCertQueue renders the police organ's queue of waiting requests and
// its pending objections.
func (s *Server) renderCertQueue(c echo.Context, status int, summary, answeredRef string, answered portal.CertificateStatus) error {
	u := currentUser(c)
	page := pageNumber(c.QueryParam("page"))
	rows, total, err := s.db.CertificateQueue(u.OrganID, (page-1)*staffPageSize, staffPageSize)
	if err != nil {
		return err
	}
	objections, err := s.db.CertificateObjections(u.OrganID)
	if err != nil {
		return err
	}
	p := s.page(c, "cert.queue_title")
	p.Path = "/staff/certificates"
	m := views.CertQueueModel{Page: p, Organ: u.Organ, Total: total, Pager: pager("/staff/certificates", nil, page, total),
		Summary: summary, AnsweredRef: answeredRef, AnsweredStatus: answered}
	today := s.today()
	for _, r := range rows {
		m.Rows = append(m.Rows, views.CertQueueRow{ID: r.ID, Ref: r.Ref, Requested: r.Requested, Due: r.Due,
			Overdue: !r.Due.IsZero() && today.After(r.Due), DueAwaitsCalendar: r.AwaitsCalendar})
	}
	for _, r := range objections {
		m.Objections = append(m.Objections, views.CertObjectionRow{ID: r.ID, Ref: r.Ref, Filed: r.Filed, Due: r.Due,
			Overdue: !r.Due.IsZero() && today.After(r.Due), DueAwaitsCalendar: r.AwaitsCalendar})
	}
	return s.render(c, status, views.CertQueuePage(m))
}

// handleCertQueue serves GET /staff/certificates: the police organ's waiting
// requests, nearest deadline first, and its pending objections.
func (s *Server) handleCertQueue(c echo.Context) error {
	if currentUser(c).OrganID == 0 {
		return portal.Forbidden("error.forbidden")
	}
	ref, answered := "", portal.CertificateStatus(c.QueryParam("done"))
	if (answered == portal.CertIssued || answered == portal.CertRefused) && certRefRE.MatchString(c.QueryParam("ref")) {
		ref = c.QueryParam("ref")
	}
	return s.renderCertQueue(c, http.StatusOK, "", ref, answered)
}

// renderCertPolice renders one request as the police official handles it
// (R14): the holder's verified identity, the sealed records that must not
// appear (their display is audited by the store), the check and the answer,
// and any objection.
func (s *Server) renderCertPolice(c echo.Context, status int, checkForm, form views.Form, notice string) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cert, sealed, err := s.db.CertificateForPolice(id, *u, requestID(c))
	if err != nil {
		return err
	}
	organs, err := s.db.Organs()
	if err != nil {
		return err
	}
	names := map[uint64]string{}
	for _, o := range organs {
		names[o.ID] = o.Name
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	p := s.page(c, "cert.queue_title")
	p.Path = "/staff/certificates/" + strconv.FormatUint(cert.ID, 10)
	today := s.today()
	m := views.CertPolicePageModel{Page: p, ID: cert.ID, Ref: cert.Ref, Status: cert.Status, HolderName: cert.PersonName,
		HolderID: cert.PersonIDNumber, HolderDoc: cert.PersonDocType, HolderState: cert.PersonDocCountry,
		RequestedAt: cert.RequestedAt, Due: cert.Due, Overdue: cert.Overdue(today), DueAwaitsCalendar: cert.DueAwaitsCalendar,
		Check: cert.Check, CheckOpts: portal.CertificateCheckResults, CheckForm: checkForm, Form: form,
		Objection: certObjectionView(cert.Objection, today), NoticeKey: notice}
	for _, r := range sealed {
		m.Sealed = append(m.Sealed, views.CertSealedRow{CaseRef: r.CaseRef, OrganCaseNumber: r.OrganCaseNumber,
			Organ: names[r.DecidingOrganID], DecisionDate: r.DecisionDate})
	}
	return s.render(c, status, views.CertPolicePage(m))
}

// handleCertStaffShow serves GET /staff/certificates/:id. A request of
// another police organ is a 404.
func (s *Server) handleCertStaffShow(c echo.Context) error {
	notice := ""
	switch c.QueryParam("done") {
	case "check":
		notice = "cert.check.notice"
	case "objection":
		notice = "cert.objection.notice.decided"
	}
	empty := views.Form{Values: map[string]string{}}
	return s.renderCertPolice(c, http.StatusOK, empty, empty, notice)
}

// handleCertCheck serves POST /staff/certificates/:id/check: the official
// records the result of the check of the police records system (R14), an
// audited step without which no answer is given.
func (s *Server) handleCertCheck(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"result": c.FormValue("result"), "reference": c.FormValue("reference")}
	k := portal.CertificateCheck{Result: portal.CertificateCheckResult(values["result"]), Reference: values["reference"]}
	if _, err := s.db.RecordCertificateCheck(id, k, *currentUser(c), requestID(c)); err != nil {
		f, ok := formError(err, values)
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
		}
		return s.renderCertPolice(c, status, f, views.Form{Values: map[string]string{}}, "")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/certificates/"+strconv.FormatUint(id, 10)+"?done=check")
}

// handleCertIssue serves POST /staff/certificates/:id/issue: the police organ
// answers one request from the official's recorded check (R14); without a
// check the answer is refused (409). A request of another organ is a 404.
func (s *Server) handleCertIssue(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cert, err := s.db.AnswerCertificate(id, *u, requestID(c))
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeConflict {
			return s.renderCertQueue(c, http.StatusConflict, errKey(err), "", "")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/certificates?done="+string(cert.Status)+"&ref="+cert.Ref)
}

// handleCertObjectionDecide serves POST /staff/certificates/:id/objection:
// the police organ extends, upholds or rejects a pending objection (R14).
func (s *Server) handleCertObjectionDecide(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"action": c.FormValue("action"), "text": c.FormValue("text"), "reference": c.FormValue("reference")}
	d := store.ObjectionDecision{Action: portal.ObjectionAction(values["action"]), Text: values["text"]}
	empty := views.Form{Values: map[string]string{}}
	if d.Action == portal.ObjectionUphold && strings.TrimSpace(values["reference"]) != "" {
		d.Checked = &portal.CertificateCheck{Result: portal.CheckNoRecord, Reference: values["reference"]}
	}
	if _, err := s.db.DecideCertificateObjection(id, d, *currentUser(c), s.cfg.Calendar, requestID(c)); err != nil {
		f, ok := formError(err, values)
		if !ok {
			return err
		}
		status := http.StatusUnprocessableEntity
		if portal.ErrorCode(err) == portal.CodeConflict {
			status = http.StatusConflict
		}
		return s.renderCertPolice(c, status, empty, f, "")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/certificates/"+strconv.FormatUint(id, 10)+"?done=objection")
}

func (s *Server) renderVerify(c echo.Context, status int, m views.VerifyModel) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	m.Page = s.page(c, "verify.title")
	m.Page.Path = "/verify"
	return s.render(c, status, views.VerifyPage(m))
}

// handleVerifyForm serves GET /verify: the form asking for the code. A code
// in the address opens nothing.
func (s *Server) handleVerifyForm(c echo.Context) error {
	return s.renderVerify(c, http.StatusOK, views.VerifyModel{Form: views.Form{Values: map[string]string{}}})
}

// handleVerify serves POST /verify: valid (exactly what the paper shows,
// R14), revoked, or not valid; nothing about later events. A wrong code, or one that cannot be a code, gets
// the same answer. Each try spends one of the client address's budget.
func (s *Server) handleVerify(c echo.Context) error {
	if ok, _ := s.verifyLimiter().Allow(c.RealIP()); !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(verifyWindow.Seconds())))
		return s.renderVerify(c, http.StatusTooManyRequests, views.VerifyModel{Form: views.Form{Summary: "verify.rate_limited"}})
	}
	code := c.FormValue("code")
	if strings.TrimSpace(code) == "" {
		return s.renderVerify(c, http.StatusUnprocessableEntity, views.VerifyModel{
			Form: views.Form{Errors: map[string]string{"code": "verify.code_required"}}})
	}
	res, err := s.db.VerifyCertificate(code, requestID(c))
	if err != nil {
		return err
	}
	m := views.VerifyModel{Checked: true, Result: res, Form: views.Form{Values: map[string]string{}}}
	if res.Status == "" && len(code) <= 60 {
		m.Form.Values["code"] = code // kept to correct a typo
	}
	return s.renderVerify(c, http.StatusOK, m)
}
