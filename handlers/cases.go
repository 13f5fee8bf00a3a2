package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// What citizens see of their cases after submission. Every case is loaded
// through citizenCase, so a case that is not linked to the account (and its
// documents and messages) answers 404, exactly like an id that does not exist.
// New steps (messages, withdrawal) also need applicantMayAct: a guardian whose
// ward has turned 18 reads the case but acts no more (R1).

// casesOrganNames looks organ names up once per request.
type casesOrganNames struct {
	db    *store.DB
	names map[uint64]string
}

func (s *Server) casesOrgans() *casesOrganNames {
	return &casesOrganNames{db: s.db, names: map[uint64]string{}}
}

// name is the organ's name, "" for no organ or one that no longer exists.
func (o *casesOrganNames) name(id uint64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if n, ok := o.names[id]; ok {
		return n, nil
	}
	org, err := o.db.Organ(id)
	if err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
		return "", err
	}
	o.names[id] = org.Name
	return org.Name, nil
}

// casesNext says what happens next, from the status and the state machine:
// when the table leaves the applicant a submit step (a draft, a returned
// application) the next step is his; in a final status nothing follows;
// otherwise an organ owes the step, by the stage's deadline.
func casesNext(cs portal.Case, organ string) views.MyCaseNext {
	return casesNextOf(cs.Status, cs.Due, len(cs.HoldingOrganIDs), len(cs.PendingHolders()), organ)
}

// casesNextOf is casesNext from a list row's fields (store.CaseListRow).
func casesNextOf(status portal.CaseStatus, due portal.Date, holders, pending int, organ string) views.MyCaseNext {
	n := views.MyCaseNext{Key: "cases.next." + string(status), Due: due}
	switch {
	case !status.Valid():
		n.Key = ""
	case slices.Contains(portal.Allowed(status, portal.ActorApplicant), portal.ActionSubmit), status.Final():
		n.Due = portal.Date{}
	case status == portal.StatusSealed:
		// R12: each holding organ seals what it holds and confirms it.
		n.Holders = holders
		n.Confirmed = holders - pending
	default:
		n.Organ = organ
	}
	return n
}

// casesLoad reads the route's case for the signed-in citizen (404 unless
// linked to the account) and whether the citizen may take new steps.
func (s *Server) casesLoad(c echo.Context) (portal.Case, store.Relation, bool, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return portal.Case{}, "", false, err
	}
	cs, rel, err := s.citizenCase(c, id)
	if err != nil {
		return portal.Case{}, "", false, err
	}
	return cs, rel, s.applicantMayAct(currentUser(c), cs, rel), nil
}

// casesLoadRel is casesLoad that also says whether the account sees the
// organs' material on the case (seesOrganMaterial).
func (s *Server) casesLoadRel(c echo.Context) (portal.Case, bool, bool, bool, error) {
	cs, rel, mayAct, err := s.casesLoad(c)
	if err != nil {
		return cs, false, false, false, err
	}
	return cs, mayAct, seesOrganMaterial(currentUser(c), cs, rel), rel == store.RelFiler, nil
}

// casesModel builds the case page.
func (s *Server) casesModel(c echo.Context, cs portal.Case, mayAct bool) (views.MyCaseModel, error) {
	u := currentUser(c)
	rel, err := s.db.Relation(u.ID, cs.ID)
	if err != nil {
		return views.MyCaseModel{}, err
	}
	organMaterial := seesOrganMaterial(u, cs, rel)
	legalDocs, err := s.citizenLegalDocs(cs, organMaterial)
	if err != nil {
		return views.MyCaseModel{}, err
	}
	filer := rel == store.RelFiler
	organs := s.casesOrgans()
	deciding, err := organs.name(cs.DecidingOrganID)
	if err != nil {
		return views.MyCaseModel{}, err
	}
	applicant := portal.Allowed(cs.Status, portal.ActorApplicant)
	m := views.MyCaseModel{
		Page: s.page(c, "cases.case_page_title"), ID: cs.ID, Ref: cs.Ref, Status: cs.Status, ExOfficio: cs.ExOfficio,
		DecidingOrgan: deciding, OrganCaseNo: cs.OrganCaseNumber, Due: cs.Due, Overdue: cs.Overdue(s.today()),
		DueAwaitsCalendar: cs.DueAwaitsCalendar, TestPeriod: testPeriodView(cs, s.today()),
		Next: casesNext(cs, deciding), MayAct: mayAct,
		CanMessage: mayAct && cs.Status != portal.StatusDraft,
		// Issue 11: only the filer withdraws, never an ex officio case (R11).
		CanWithdraw: mayAct && filer && !cs.ExOfficio && cs.Status != portal.StatusDraft && slices.Contains(applicant, portal.ActionWithdraw),
		CanResubmit: mayAct && cs.Status == portal.StatusReturned && slices.Contains(applicant, portal.ActionSubmit),
		LegalDocs:   legalDocs,
	}
	if !mayAct {
		// R1: the guardian acts only while the person is under 18; what the
		// guardian filed stays.
		m.ReadOnlyKey = "cases.read_only_guardian"
	}
	m.Client = deskClientName(u, cs.FiledBy == u.ID && filer, s.formerGuardian(u, cs, rel), cs.PersonName)
	// R1, issue 16: the adult reading a matter the guardian started is told
	// it is now his.
	m.HandedOver = rel == store.RelPerson && cs.Capacity == portal.CapacityGuardian && portal.GuardianAccessEnded(cs, s.today())
	for _, ev := range cs.Events {
		name, err := organs.name(ev.OrganID)
		if err != nil {
			return m, err
		}
		m.Timeline = append(m.Timeline, views.TimelineItem{Event: ev, OrganName: name})
		if ev.Action == portal.ActionReturn {
			m.ReturnNote = ev.Note
		}
	}
	if cs.Status != portal.StatusReturned {
		m.ReturnNote = ""
	}
	if d, ok := cs.Eligibility(); ok {
		m.Eligibility = &views.MyCaseEligibility{Outcome: d.Outcome, Rules: d.Rules, ReasonKey: d.ReasonKey}
	}
	for _, id := range cs.HoldingOrganIDs {
		if cs.Status == portal.StatusUnsealing || cs.Status == portal.StatusUnsealed {
			break // issue 18: the organs' sealing no longer describes the record
		}
		name, err := organs.name(id)
		if err != nil {
			return m, err
		}
		at, ok := cs.Confirmations[id]
		m.Holders = append(m.Holders, views.MyCaseHolder{Name: name, Confirmed: ok, ConfirmedAt: at})
	}
	if !organMaterial {
		// Issue 11: until the identity (or the guardianship) is verified,
		// the account sees what it filed itself and the status, nothing the
		// organs hold.
		m.UnverifiedKey = "identity.case_unverified"
		if u.Role == portal.RoleGuardian {
			m.UnverifiedKey = "identity.case_guardianship_unverified"
		}
	}
	for _, d := range cs.Documents {
		if !organMaterial && d.UploadedBy != u.ID {
			continue
		}
		m.Documents = append(m.Documents, casesDocument(d))
	}
	msgs, err := s.db.Messages(cs.ID)
	if err != nil {
		return m, err
	}
	for _, msg := range msgs {
		if !organMaterial && msg.From != u.ID {
			continue
		}
		vm := views.MyCaseMessage{Mine: msg.From == u.ID, FromRole: msg.FromRole, Text: msg.Text, At: msg.At}
		if msg.FromRole.IsStaff() {
			// The organ speaks, never the official by name.
			if vm.FromOrgan, err = organs.name(msg.OrganID); err != nil {
				return m, err
			}
			if vm.FromOrgan == "" {
				vm.FromOrgan = views.Translate(langOf(c), "role."+string(msg.FromRole))
			}
		}
		for _, d := range msg.Documents {
			vm.Documents = append(vm.Documents, casesDocument(d))
		}
		m.Messages = append(m.Messages, vm)
	}
	switch c.QueryParam("done") {
	case "message":
		m.NoticeKey = "cases.message_sent"
	case "withdrawn":
		m.NoticeKey = "cases.withdrawn_notice"
	}
	return m, nil
}

func casesDocument(d portal.Document) views.MyCaseDocument {
	return views.MyCaseDocument{ID: d.ID, Name: d.Name, Kind: d.Kind, Size: d.Size, UploadedAt: d.UploadedAt}
}

// handleCaseShow serves GET /cases/:id: reference, status, deadline, what
// happens next, the history, what the rules say, documents, holding organs,
// messages and the steps the applicant may take.
func (s *Server) handleCaseShow(c echo.Context) error {
	cs, mayAct, _, _, err := s.casesLoadRel(c)
	if err != nil {
		return err
	}
	if sealedContents(cs) {
		// Issue 11: a citizen's read of a sealed case's contents is audited
		// like anyone's and shown in "who looked at my record".
		if err := s.db.RecordCitizenRead(cs.ID, *currentUser(c), "case", requestID(c)); err != nil {
			return err
		}
	}
	// Issue 16: opening what a notification points to reads it; the header's
	// count (built below) already leaves it out.
	if _, err := s.db.MarkNotificationsReadFor(currentUser(c).ID, cs.Ref); err != nil {
		return err
	}
	m, err := s.casesModel(c, cs, mayAct)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.MyCasePage(m))
}

// handleCaseDocument serves GET /cases/:id/documents/:doc: a document of a
// case linked to the account, as an attachment. A document of another case is
// a 404 like any unknown id.
func (s *Server) handleCaseDocument(c echo.Context) error {
	cs, _, organMaterial, _, err := s.casesLoadRel(c)
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	d, ok := cs.Document(docID)
	if !ok || !organMaterial && d.UploadedBy != currentUser(c).ID {
		return portal.NotFound()
	}
	content, err := s.db.DocumentContent(cs.ID, d.ID)
	if err != nil {
		return err
	}
	// Issue 11: every read of a document by any account is audited.
	if err := s.db.RecordCitizenRead(cs.ID, *currentUser(c), "document:"+strconv.FormatUint(d.ID, 10), requestID(c)); err != nil {
		return err
	}
	return serveDocument(c, d, content)
}

// casesMessageInput is what the message form posts; nothing else is read.
type casesMessageInput struct {
	Text string
}

// handleCaseMessage serves POST /cases/:id/messages (multipart: text and an
// optional file). The attachment becomes a document of the case.
func (s *Server) handleCaseMessage(c echo.Context) error {
	cs, _, mayAct, err := s.casesLoad(c)
	if err != nil {
		return err
	}
	if !mayAct {
		return portal.Forbidden("cases.read_only_guardian")
	}
	u := currentUser(c)
	in := casesMessageInput{Text: c.FormValue("text")}
	fail := func(status int, err error, alert string) error {
		m, merr := s.casesModel(c, cs, mayAct)
		if merr != nil {
			return merr
		}
		if err != nil {
			form, ok := formError(err, map[string]string{"text": in.Text})
			if !ok {
				return err
			}
			m.Form = form
		}
		m.AlertKey = alert
		return s.render(c, status, views.MyCasePage(m))
	}
	if cs.Status == portal.StatusDraft {
		return fail(http.StatusConflict, nil, "cases.message_draft")
	}
	msg := portal.Message{CaseID: cs.ID, From: u.ID, FromRole: u.Role, Text: in.Text}
	var files [][]byte
	fh, err := c.FormFile("file")
	switch {
	case err == nil:
		d, content, err := readUpload(fh, portal.NewUploadBudget())
		if err != nil {
			return fail(http.StatusUnprocessableEntity, err, "")
		}
		d.UploadedBy = u.ID
		msg.Documents, files = []portal.Document{d}, [][]byte{content}
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
	default:
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	db, err := s.submissionStore(c) // outcome.go: a retry adds nothing twice
	if err != nil {
		return err
	}
	if _, err := db.AddMessage(msg, files); err != nil {
		return fail(http.StatusUnprocessableEntity, err, "")
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+strconv.FormatUint(cs.ID, 10)+"?done=message#messages")
}

// casesWithdrawRefusal is why the application cannot be withdrawn now, ""
// when it can: only before a decision, as the state machine's table says.
func casesWithdrawRefusal(cs portal.Case) string {
	switch {
	case cs.Status == portal.StatusDraft:
		return "cases.withdraw_draft"
	case !slices.Contains(portal.Allowed(cs.Status, portal.ActorApplicant), portal.ActionWithdraw):
		return "cases.withdraw_not_allowed"
	}
	return ""
}

// handleCaseWithdrawForm serves GET /cases/:id/withdraw: the confirmation
// page, or why the application can no longer be withdrawn.
func (s *Server) handleCaseWithdrawForm(c echo.Context) error {
	cs, mayAct, _, filer, err := s.casesLoadRel(c)
	if err != nil {
		return err
	}
	if !mayAct {
		return portal.Forbidden("cases.read_only_guardian")
	}
	if !filer || cs.ExOfficio {
		// Issue 11: only the filer withdraws; an ex officio case never (R11).
		return portal.Forbidden("cases.withdraw_not_filer")
	}
	refusal := casesWithdrawRefusal(cs)
	return s.render(c, http.StatusOK, views.MyCaseWithdrawPage(views.MyCaseWithdrawModel{
		Page: s.page(c, "cases.withdraw_heading"), ID: cs.ID, Ref: cs.Ref, Status: cs.Status,
		Allowed: refusal == "", AlertKey: refusal}))
}

// handleCaseWithdraw serves POST /cases/:id/withdraw: the applicant withdraws
// before a decision; the state machine refuses anything later.
func (s *Server) handleCaseWithdraw(c echo.Context) error {
	cs, mayAct, _, filer, err := s.casesLoadRel(c)
	if err != nil {
		return err
	}
	if !mayAct {
		return portal.Forbidden("cases.read_only_guardian")
	}
	if !filer || cs.ExOfficio {
		// Issue 11: only the filer withdraws; an ex officio case never (R11).
		return portal.Forbidden("cases.withdraw_not_filer")
	}
	u := currentUser(c)
	refuse := func(key string) error {
		return s.render(c, http.StatusConflict, views.MyCaseWithdrawPage(views.MyCaseWithdrawModel{
			Page: s.page(c, "cases.withdraw_heading"), ID: cs.ID, Ref: cs.Ref, Status: cs.Status, AlertKey: key}))
	}
	if cs.Status == portal.StatusDraft {
		return refuse("cases.withdraw_draft")
	}
	_, err = s.db.Apply(cs.ID, store.Step{Action: portal.ActionWithdraw, Actor: portal.ActorApplicant, AccountID: u.ID,
		Role: u.Role, RequestID: requestID(c)}, s.cfg.Calendar)
	if err != nil {
		if portal.ErrorCode(err) == portal.CodeConflict {
			// Reload: the status shown must be the one that refused.
			if now, lerr := s.db.Case(cs.ID); lerr == nil {
				cs = now
			}
			return refuse("cases.withdraw_not_allowed")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+strconv.FormatUint(cs.ID, 10)+"?done=withdrawn")
}

// handleNotifications serves GET /notifications: the account's
// notifications, newest first, unread ones marked.
func (s *Server) handleNotifications(c echo.Context) error {
	u := currentUser(c)
	list, err := s.db.Notifications(u.ID, 100)
	if err != nil {
		return err
	}
	m := views.NotificationsModel{Page: s.page(c, "cases.notifications_title")}
	from := s.notificationSenders(c)
	for _, n := range list {
		sender, err := from(n)
		if err != nil {
			return err
		}
		m.Rows = append(m.Rows, views.NotificationRow{CaseID: n.CaseID, Ref: n.Ref, Key: n.Key, At: n.At, Read: n.Read, From: sender,
			Link: noticeTarget(n.Key)})
		if !n.Read {
			m.Unread++
		}
	}
	if m.Page.User != nil && m.Page.User.Unread > m.Unread {
		m.Unread = m.Page.User.Unread
	}
	if c.QueryParam("done") == "read" {
		m.NoticeKey = "cases.notifications_marked"
	}
	return s.render(c, http.StatusOK, views.NotificationsPage(m))
}

// handleNotificationsRead serves POST /notifications/read: every
// notification of the account is marked read.
func (s *Server) handleNotificationsRead(c echo.Context) error {
	if err := s.db.MarkNotificationsRead(currentUser(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications?done=read")
}
