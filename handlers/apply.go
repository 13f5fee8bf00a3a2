package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The applicant's journey: a start page, a task list with one page per
// section, documents, check your answers, submission and a confirmation with
// the reference number. A draft is saved on every step: each page stores what
// was typed as far as it can be stored (text as typed, dates and numbers only
// when they parse) and re-renders with every typed value and a message per
// field when something is wrong, so nothing typed is lost.

// applyMaxText bounds what a free-text answer may store; longer input is shown
// back with its error but not saved.
const applyMaxText = 200

func applyStorable(s string) bool { return utf8.RuneCountInString(s) <= applyMaxText }

// applyEditable reports whether the applicant may still change the
// application: a draft, or one returned for correction.
func applyEditable(cs portal.Case) bool {
	return cs.Status == portal.StatusDraft || cs.Status == portal.StatusReturned
}

// applyCtx is what every page of one application starts from.
type applyCtx struct {
	u   *portal.Account
	cs  portal.Case
	rel store.Relation
}

// loadApply loads the route's application for the signed-in citizen: a case
// the account is not linked to is a 404 (as if it did not exist); when edit is
// set, a submitted application is read-only and the browser is sent to its
// case page; a guardian whose ward has turned 18 is refused with a page saying
// the person takes over. ok is false when the response is already decided.
func (s *Server) loadApply(c echo.Context, edit bool) (ac applyCtx, ok bool, err error) {
	id, err := pathID(c, "id")
	if err != nil {
		return ac, false, err
	}
	cs, rel, err := s.citizenCase(c, id)
	if err != nil {
		return ac, false, err
	}
	if edit && !applyEditable(cs) {
		return ac, false, c.Redirect(http.StatusSeeOther, fmt.Sprintf("/cases/%d", cs.ID))
	}
	u := currentUser(c)
	if !s.applyMayAct(u, cs, rel) {
		return ac, false, portal.Forbidden("apply.guardian_handover")
	}
	return applyCtx{u: u, cs: cs, rel: rel}, true, nil
}

// applyMayAct is applicantMayAct, except that a guardian's draft whose
// identity number is not yet known (so there is no age to check) stays the
// guardian's to fill in. The person page never stores the number of someone
// 18 or over in a guardian's application, so a guardian cannot lock himself
// out by a typing mistake.
func (s *Server) applyMayAct(u *portal.Account, cs portal.Case, rel store.Relation) bool {
	if rel == store.RelFiler && u.Role == portal.RoleGuardian {
		if _, known := cs.PersonBirthDate(); !known {
			return true
		}
	}
	return s.applicantMayAct(u, cs, rel)
}

func applyPath(id uint64, page string) string {
	if page == "" {
		return fmt.Sprintf("/apply/%d", id)
	}
	return fmt.Sprintf("/apply/%d/%s", id, page)
}

// handleApplyStart serves GET /apply: what the applicant will need, a button
// to start, and the applications the account can continue.
func (s *Server) handleApplyStart(c echo.Context) error {
	u := currentUser(c)
	list, err := s.db.CasesOfAccount(u.ID)
	if err != nil {
		return err
	}
	m := views.ApplyStartModel{Page: s.page(c, "apply.start.title"), Capacity: portal.CapacityOf(u.Role)}
	for _, cs := range list {
		if !applyEditable(cs.Case) {
			continue
		}
		m.Drafts = append(m.Drafts, views.ApplyDraftRow{ID: cs.Case.ID, Status: cs.Case.Status,
			PersonName: cs.Case.PersonName, UpdatedAt: cs.Case.UpdatedAt})
	}
	sort.SliceStable(m.Drafts, func(i, j int) bool { return m.Drafts[i].UpdatedAt.After(m.Drafts[j].UpdatedAt) })
	if c.QueryParam("done") == "deleted" {
		m.NoticeKey = "apply.notice_deleted"
	}
	return s.render(c, http.StatusOK, views.ApplyStartPage(m))
}

// handleApplyCreate serves POST /apply: a new draft in the capacity of the
// account's role. A person applying for himself has his name and identity
// number filled in from the account.
func (s *Server) handleApplyCreate(c echo.Context) error {
	u := currentUser(c)
	db, err := s.submissionStore(c) // outcome.go: a retry creates nothing twice
	if err != nil {
		return err
	}
	cs, err := db.CreateDraft(applyNewDraft(u), u.ID)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, applyPath(cs.ID, ""))
}

// applyNewDraft is a new application of the account: in the capacity of its
// role, and for a person applying for himself with his name and identity
// document filled in from the account.
func applyNewDraft(u *portal.Account) portal.Case {
	draft := portal.Case{Capacity: portal.CapacityOf(u.Role)}
	if draft.Capacity == portal.CapacitySelf {
		draft.PersonName, draft.PersonIDNumber = u.Name, u.IDNumber
		if u.DocType != portal.DocResidentID {
			// R31: the document registered, and the birth date typed there
			// when its number carries none.
			draft.PersonDocType, draft.PersonDocCountry, draft.PersonDocBirth = u.DocType, u.DocCountry, u.DocBirth
		}
	}
	return draft
}

// handleApplyTasks serves GET /apply/:id: the task list, with each section's
// state and what the rules say of the facts so far.
func (s *Server) handleApplyTasks(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	cs, today := ac.cs, s.today()
	m := views.ApplyTasksModel{Page: s.page(c, "apply.tasks.title"), ID: cs.ID, Status: cs.Status, Capacity: cs.Capacity,
		AllComplete: true, Eligibility: applyEligibility(cs),
		Deletable: cs.Status == portal.StatusDraft && cs.Ref == "" && ac.rel == store.RelFiler}
	for _, sec := range portal.Sections {
		row := applySectionState(cs, sec, today)
		if row.State != views.ApplyStateCompleted {
			m.AllComplete = false
		}
		m.Sections = append(m.Sections, row)
	}
	if cs.Status == portal.StatusReturned {
		for i := len(cs.Events) - 1; i >= 0; i-- {
			if cs.Events[i].Action == portal.ActionReturn {
				m.ReturnNote = cs.Events[i].Note
				break
			}
		}
	}
	return s.render(c, http.StatusOK, views.ApplyTasksPage(m))
}

// applySectionState is a task list row: completed when the section has no
// problem, not started when none of its answers is given, else its problems.
func applySectionState(cs portal.Case, sec string, today portal.Date) views.ApplySection {
	fe := cs.SectionErrors(sec, today)
	row := views.ApplySection{Name: sec}
	switch {
	case len(fe) == 0:
		row.State = views.ApplyStateCompleted
	case applySectionEmpty(cs, sec):
		row.State = views.ApplyStateNotStarted
	default:
		row.State = views.ApplyStateProblems
		fields := make([]string, 0, len(fe))
		for f := range fe {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			if !slices.Contains(row.Problems, fe[f]) {
				row.Problems = append(row.Problems, fe[f])
			}
		}
	}
	return row
}

// applySectionEmpty reports whether none of a section's answers is given.
func applySectionEmpty(cs portal.Case, sec string) bool {
	switch sec {
	case portal.SectionPerson:
		return strings.TrimSpace(cs.PersonName) == "" && cs.PersonIDNumber == ""
	case portal.SectionCase:
		return cs.DecidingOrganID == 0 && strings.TrimSpace(cs.OrganCaseNumber) == "" && cs.Disposition == "" &&
			cs.DecisionDate.IsZero() && len(cs.Acts) == 0 && cs.Intent == "" && cs.Penalty == nil
	case portal.SectionOrgans:
		return len(cs.HoldingOrganIDs) == 0
	case portal.SectionDocuments:
		return len(cs.Documents) == 0
	case portal.SectionDeclarations:
		return !cs.DeclaredTrue
	}
	return false
}

// applyEligibility is what R1–R10 say of the facts entered so far; unknown
// until the person's identity number, the disposition and an act are given.
// An application the rules call not eligible may still be submitted: the
// organ decides (R11).
func applyEligibility(cs portal.Case) views.ApplyEligibility {
	d, ok := cs.Eligibility()
	if !ok {
		return views.ApplyEligibility{}
	}
	return views.ApplyEligibility{Known: true, Outcome: d.Outcome, Rules: d.Rules, ReasonKey: d.ReasonKey}
}

// ---- Person ----

// applyPersonInput is the person's section as posted; DocType and Country
// name an identity document other than the mainland card (R31).
// Birth is the birth date as typed (YYYY-MM-DD) for a document whose number
// carries none (R31).
type applyPersonInput struct{ Name, IDNumber, DocType, Country, Birth string }

func (in applyPersonInput) values() map[string]string {
	docType := in.DocType
	if docType == "" {
		docType = string(portal.DocResidentID)
	}
	return map[string]string{"person_name": in.Name, "person_id_number": in.IDNumber, "person_doc_type": docType,
		"person_doc_country": in.Country, "person_birth_date": in.Birth}
}

// handleApplyPersonForm serves GET /apply/:id/person.
func (s *Server) handleApplyPersonForm(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	in := applyPersonInput{Name: ac.cs.PersonName, IDNumber: ac.cs.PersonIDNumber, DocType: string(ac.cs.PersonDocType),
		Country: ac.cs.PersonDocCountry}
	if !ac.cs.PersonDocBirth.IsZero() {
		in.Birth = ac.cs.PersonDocBirth.String()
	}
	return s.renderApplyPerson(c, http.StatusOK, ac.cs, views.Form{Values: in.values()})
}

func (s *Server) renderApplyPerson(c echo.Context, status int, cs portal.Case, f views.Form) error {
	m := views.ApplyPersonModel{Page: s.page(c, "apply.person.title"), ID: cs.ID, Capacity: cs.Capacity, Form: f}
	doc, err := portal.ParseIdentityDocument(portal.IDDocType(f.Value("person_doc_type")), f.Value("person_id_number"), f.Value("person_doc_country"))
	if err == nil {
		if birth, known := doc.BirthDate(); known && !s.today().Before(birth) {
			m.BirthDate = birth
		} else if birth, ok := portal.ParseDate(f.Value("person_birth_date")); !known && ok && !s.today().Before(birth) {
			m.BirthDate = birth // R31: as typed for a passport or travel permit
		}
	}
	return s.render(c, status, views.ApplyPersonPage(m))
}

// handleApplyPersonSave serves POST /apply/:id/person. A person applying for
// himself keeps the identity number of his account. A guardian files only for
// someone under 18 (R1's counting): the number of an older person is refused
// with a field error and not stored.
func (s *Server) handleApplyPersonSave(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	in := applyPersonInput{Name: c.FormValue("person_name"), IDNumber: c.FormValue("person_id_number"),
		DocType: c.FormValue("person_doc_type"), Country: strings.TrimSpace(c.FormValue("person_doc_country")),
		Birth: strings.TrimSpace(c.FormValue("person_birth_date"))}
	if ac.cs.Capacity == portal.CapacitySelf {
		// The person's own account: the document it was registered with,
		// and the birth date stated there (R31: registration accepts every
		// kind).
		in.IDNumber, in.DocType, in.Country = ac.cs.PersonIDNumber, string(ac.cs.PersonDocType), ac.cs.PersonDocCountry
		in.Birth = ""
		if !ac.cs.PersonDocBirth.IsZero() {
			in.Birth = ac.cs.PersonDocBirth.String()
		}
	}
	today := s.today()
	var fe portal.FieldErrors
	name, idn := strings.TrimSpace(in.Name), strings.TrimSpace(in.IDNumber)
	if !applyStorable(name) {
		fe.Add("person_name", "register.name_too_long")
	}
	docType := portal.IDDocType(in.DocType)
	if docType == portal.DocResidentID || !docType.Valid() {
		docType = "" // the mainland identity card; an unknown kind reads as it
	}
	country := in.Country
	var docBirth portal.Date // R31: the stated birth date of a document whose number carries none
	if doc, err := (portal.Case{PersonIDNumber: idn, PersonDocType: docType, PersonDocCountry: country}).PersonDocument(); err == nil {
		idn, country = doc.Number, doc.Country
		birth, known := doc.BirthDate()
		if !known {
			b, ok := portal.ParseDate(in.Birth)
			switch {
			case in.Birth == "":
				fe.Add("person_birth_date", "apply.person.birth_date_required")
			case !ok || today.Before(b) || b.Year < 1900:
				fe.Add("person_birth_date", "register.birth_date_invalid")
			default:
				birth, known, docBirth = b, true, b
			}
		}
		if ac.cs.Capacity == portal.CapacityGuardian && known && !today.Before(birth) && !portal.Under18On(birth, today) {
			field := "person_id_number"
			if !docBirth.IsZero() {
				field = "person_birth_date"
			}
			fe.Add(field, "apply.guardian_adult")
		}
	} else if !applyStorable(idn) {
		fe.Add("person_id_number", "id.length")
	}
	if !applyStorable(country) || len(country) > 3 {
		fe.Add("person_doc_country", "iddoc.country_required")
	}
	cs, err := s.db.UpdateDraft(ac.cs.ID, func(d *portal.Case) error {
		if fe["person_name"] == "" {
			d.PersonName = name
		}
		if fe["person_id_number"] == "" && fe["person_doc_country"] == "" && fe["person_birth_date"] == "" {
			d.PersonIDNumber, d.PersonDocType, d.PersonDocCountry = idn, docType, country
			if ac.cs.Capacity != portal.CapacitySelf {
				d.PersonDocBirth = docBirth
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k, v := range cs.SectionErrors(portal.SectionPerson, today) {
		fe.Add(k, v)
	}
	if len(fe) > 0 {
		return s.renderApplyPerson(c, http.StatusUnprocessableEntity, cs, views.Form{Values: in.values(), Errors: fe})
	}
	return c.Redirect(http.StatusSeeOther, s.applyAfterSave(c, cs))
}

// ---- The case ----

// applyDateInput is a date as typed in its three boxes (base-year,
// base-month, base-day), as on the eligibility check.
type applyDateInput struct{ Year, Month, Day string }

func bindApplyDate(c echo.Context, base string) applyDateInput {
	return applyDateInput{Year: c.FormValue(base + "-year"), Month: c.FormValue(base + "-month"), Day: c.FormValue(base + "-day")}
}

func (d applyDateInput) empty() bool {
	return strings.TrimSpace(d.Year) == "" && strings.TrimSpace(d.Month) == "" && strings.TrimSpace(d.Day) == ""
}

func (d applyDateInput) put(v map[string]string, base string) {
	v[base+"-year"], v[base+"-month"], v[base+"-day"] = d.Year, d.Month, d.Day
}

func applyDateOf(d portal.Date) applyDateInput {
	if d.IsZero() {
		return applyDateInput{}
	}
	return applyDateInput{Year: strconv.Itoa(d.Year), Month: strconv.Itoa(int(d.Month)), Day: strconv.Itoa(d.Day)}
}

// applyDigits reads a whole number of at most max digits, accepting the
// full-width digits a Chinese input method types; ok is false for anything
// else.
func applyDigits(s string, max int) (int, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		default:
			return 0, false
		}
	}
	if b.Len() == 0 || b.Len() > max {
		return 0, false
	}
	n, err := strconv.Atoi(b.String())
	return n, err == nil
}

// parse reads the date strictly: all three parts, a four-digit year from 1900,
// a day that exists. Nothing typed is the zero date without a problem (the
// section's own check says when a date is required).
func (d applyDateInput) parse() (portal.Date, string) {
	if d.empty() {
		return portal.Date{}, ""
	}
	if strings.TrimSpace(d.Year) == "" || strings.TrimSpace(d.Month) == "" || strings.TrimSpace(d.Day) == "" {
		return portal.Date{}, "apply.date_incomplete"
	}
	y, oky := applyDigits(d.Year, 4)
	m, okm := applyDigits(d.Month, 2)
	day, okd := applyDigits(d.Day, 2)
	if !oky || !okm || !okd || y < 1900 || m < 1 || m > 12 || day < 1 {
		return portal.Date{}, "apply.date_invalid"
	}
	out, ok := portal.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, m, day))
	if !ok {
		return portal.Date{}, "apply.date_invalid"
	}
	return out, ""
}

// applyCaseInput is what the case page posts; nothing else is read.
type applyCaseInput struct {
	Action      string // "add_act" adds a row; anything else saves and continues
	Organ       string
	CaseNumber  string
	Disposition string
	Decision    applyDateInput
	Acts        []applyDateInput
	// Main lists the row indexes of the acts the court found to be main
	// criminal conduct (R5; several, R27), comma-separated; "" when the
	// judgment does not say.
	Main        string
	Intent      string
	PenaltyKind string
	Months      string
	Days        string
	Suspended   bool
}

func applyActBase(i int) string { return fmt.Sprintf("acts[%d].date", i) }

// applyMainList reads the ticked main acts (R27: there may be several) as a
// comma-separated list of row indexes, each a small number, without repeats.
func applyMainList(c echo.Context) string {
	params, err := c.FormParams()
	if err != nil {
		return ""
	}
	var out []string
	for _, v := range params["main"] {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < views.ApplyMaxActs && !slices.Contains(out, v) {
			out = append(out, strconv.Itoa(n))
		}
	}
	return strings.Join(out, ",")
}

func bindApplyCase(c echo.Context) applyCaseInput {
	rows, err := strconv.Atoi(c.FormValue("act_rows"))
	if err != nil || rows < 1 {
		rows = 1
	}
	rows = min(rows, views.ApplyMaxActs)
	in := applyCaseInput{Action: c.FormValue("action"), Organ: c.FormValue("deciding_organ"), CaseNumber: c.FormValue("case_number"),
		Disposition: c.FormValue("disposition"), Decision: bindApplyDate(c, "decision_date"), Main: applyMainList(c),
		Intent: c.FormValue("intent"), PenaltyKind: c.FormValue("penalty_kind"), Months: c.FormValue("penalty_months"),
		Days: c.FormValue("penalty_days"), Suspended: c.FormValue("penalty_suspended") == "yes"}
	for i := range rows {
		in.Acts = append(in.Acts, bindApplyDate(c, applyActBase(i)))
	}
	return in
}

func (in applyCaseInput) values() map[string]string {
	v := map[string]string{"deciding_organ": in.Organ, "case_number": in.CaseNumber, "disposition": in.Disposition,
		"main": in.Main, "intent": in.Intent, "penalty_kind": in.PenaltyKind, "penalty_months": in.Months, "penalty_days": in.Days}
	if in.Suspended {
		v["penalty_suspended"] = "yes"
	}
	in.Decision.put(v, "decision_date")
	for i, a := range in.Acts {
		a.put(v, applyActBase(i))
	}
	return v
}

// applyCaseInputOf shows a stored case on the form.
func applyCaseInputOf(cs portal.Case) applyCaseInput {
	in := applyCaseInput{CaseNumber: cs.OrganCaseNumber, Disposition: string(cs.Disposition), Decision: applyDateOf(cs.DecisionDate),
		Intent: string(cs.Intent)}
	if cs.DecidingOrganID != 0 {
		in.Organ = strconv.FormatUint(cs.DecidingOrganID, 10)
	}
	var mains []string
	for i, a := range cs.Acts {
		in.Acts = append(in.Acts, applyDateOf(a.Date))
		if a.Main {
			mains = append(mains, strconv.Itoa(i))
		}
	}
	in.Main = strings.Join(mains, ",")
	if len(in.Acts) == 0 {
		in.Acts = []applyDateInput{{}}
	}
	if p := cs.Penalty; p != nil {
		in.PenaltyKind, in.Suspended = string(p.Kind), p.Suspended
		if p.Months != 0 || p.Days != 0 {
			in.Months, in.Days = strconv.Itoa(p.Months), strconv.Itoa(p.Days)
		}
	}
	return in
}

// applyCasePatch turns the typed answers into the edit of the stored case and
// the problems of reading them. rowOf maps each stored act to its form row
// (empty rows are skipped), so that problems land on the right row.
func applyCasePatch(in applyCaseInput, deciders []views.ApplyOrganOption) (patch func(*portal.Case), fe portal.FieldErrors, rowOf []int) {
	var organ uint64
	if s := strings.TrimSpace(in.Organ); s != "" {
		id, err := strconv.ParseUint(s, 10, 64)
		if err != nil || !slices.ContainsFunc(deciders, func(o views.ApplyOrganOption) bool { return o.ID == id }) {
			fe.Add("deciding_organ", "apply.organ_required")
		} else {
			organ = id
		}
	}
	number := strings.TrimSpace(in.CaseNumber)
	if !applyStorable(number) {
		fe.Add("case_number", "apply.case_number_too_long")
		number = ""
	}
	disp := portal.Disposition(in.Disposition)
	if in.Disposition != "" && !disp.Valid() {
		fe.Add("disposition", "eligibility.disposition_unknown")
		disp = ""
	}
	decision, key := in.Decision.parse()
	if key != "" {
		fe.Add("decision_date", key)
	}
	var acts []portal.Act
	for i, a := range in.Acts {
		if a.empty() {
			continue
		}
		d, key := a.parse()
		if key != "" {
			fe.Add(applyActBase(i), key)
			continue
		}
		// R5: the main criminal conduct is the court's finding, entered as
		// given, never computed.
		acts = append(acts, portal.Act{Date: d, Main: len(in.Acts) > 1 && slices.Contains(strings.Split(in.Main, ","), strconv.Itoa(i))})
		rowOf = append(rowOf, i)
	}
	intent := portal.Intent(in.Intent)
	if !slices.Contains([]portal.Intent{portal.IntentIntentional, portal.IntentNegligent, portal.IntentUnknown}, intent) {
		intent = ""
	}
	// A penalty belongs only to a sentence; what was typed in the penalty
	// boxes for another outcome is not part of the case.
	var penalty *portal.Penalty
	if disp == portal.DispositionSentenced {
		p := portal.Penalty{Kind: portal.PenaltyKind(in.PenaltyKind), Suspended: in.Suspended}
		if !p.Kind.Valid() {
			p.Kind = ""
		}
		if s := strings.TrimSpace(in.Months); s != "" {
			n, ok := applyDigits(s, 3)
			if !ok {
				fe.Add("penalty_months", "eligibility.months_range")
			}
			p.Months = n
		}
		if s := strings.TrimSpace(in.Days); s != "" {
			n, ok := applyDigits(s, 2)
			if !ok {
				fe.Add("penalty_days", "eligibility.days_range")
			}
			p.Days = n
		}
		penalty = &p
	}
	patch = func(d *portal.Case) {
		d.DecidingOrganID, d.OrganCaseNumber, d.Disposition, d.DecisionDate = organ, number, disp, decision
		d.Acts, d.Intent, d.Penalty = acts, intent, penalty
	}
	return patch, fe, rowOf
}

// applyActKey maps a stored act's field (acts[i].date) to its form row.
func applyActKey(k string, rowOf []int) string {
	var i int
	if _, err := fmt.Sscanf(k, "acts[%d].date", &i); err == nil && k == applyActBase(i) && i >= 0 && i < len(rowOf) {
		return applyActBase(rowOf[i])
	}
	return k
}

// applyOrganOptions lists the registered organs of the given kinds.
func (s *Server) applyOrganOptions(kinds ...portal.Role) ([]views.ApplyOrganOption, error) {
	all, err := s.db.Organs()
	if err != nil {
		return nil, err
	}
	var out []views.ApplyOrganOption
	for _, o := range all {
		if slices.Contains(kinds, o.Kind) {
			out = append(out, views.ApplyOrganOption{ID: o.ID, Kind: o.Kind, Name: o.Name})
		}
	}
	return out, nil
}

// The organs that decide a case: courts for judgments, procuratorates for
// non-prosecution, the police for a case withdrawn (R8, R9, R12).
var applyDeciderKinds = []portal.Role{portal.RoleCourt, portal.RoleProcuratorate, portal.RolePolice}

// handleApplyCaseForm serves GET /apply/:id/case.
func (s *Server) handleApplyCaseForm(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	in := applyCaseInputOf(ac.cs)
	return s.renderApplyCase(c, http.StatusOK, ac.cs.ID, len(in.Acts), views.Form{Values: in.values()})
}

func (s *Server) renderApplyCase(c echo.Context, status int, id uint64, rows int, f views.Form) error {
	organs, err := s.applyOrganOptions(applyDeciderKinds...)
	if err != nil {
		return err
	}
	return s.render(c, status, views.ApplyCasePage(views.ApplyCaseModel{Page: s.page(c, "apply.case.title"), ID: id,
		Form: f, Organs: organs, Rows: rows}))
}

// handleApplyCaseSave serves POST /apply/:id/case: save and continue, or add
// another act row (the page is shown again with every typed value and one
// more row, so that up to five acts need no JavaScript).
func (s *Server) handleApplyCaseSave(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	in := bindApplyCase(c)
	deciders, err := s.applyOrganOptions(applyDeciderKinds...)
	if err != nil {
		return err
	}
	patch, fe, rowOf := applyCasePatch(in, deciders)
	cs, err := s.db.UpdateDraft(ac.cs.ID, func(d *portal.Case) error { patch(d); return nil })
	if err != nil {
		return err
	}
	if in.Action == "add_act" {
		rows := min(len(in.Acts)+1, views.ApplyMaxActs)
		return s.renderApplyCase(c, http.StatusOK, cs.ID, rows, views.Form{Values: in.values()})
	}
	for k, v := range cs.SectionErrors(portal.SectionCase, s.today()) {
		fe.Add(applyActKey(k, rowOf), v)
	}
	if len(fe) > 0 {
		return s.renderApplyCase(c, http.StatusUnprocessableEntity, cs.ID, len(in.Acts), views.Form{Values: in.values(), Errors: fe})
	}
	return c.Redirect(http.StatusSeeOther, s.applyAfterSave(c, cs))
}

// ---- Organs holding records ----

// Every organ that may hold records of the case: R7 (all files of
// investigation, prosecution, trial and execution), R12 (each organ seals
// what it holds).
var applyHolderKinds = []portal.Role{portal.RoleCourt, portal.RoleProcuratorate, portal.RolePolice, portal.RoleJudicialAdmin}

// handleApplyOrgansForm serves GET /apply/:id/organs.
func (s *Server) handleApplyOrgansForm(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	sel := map[uint64]bool{}
	for _, id := range ac.cs.HoldingOrganIDs {
		sel[id] = true
	}
	if len(sel) == 0 && ac.cs.DecidingOrganID != 0 {
		// R12: the deciding organ holds the records of its decision.
		sel[ac.cs.DecidingOrganID] = true
	}
	return s.renderApplyOrgans(c, http.StatusOK, ac.cs.ID, sel, views.Form{})
}

func (s *Server) renderApplyOrgans(c echo.Context, status int, id uint64, sel map[uint64]bool, f views.Form) error {
	organs, err := s.applyOrganOptions(applyHolderKinds...)
	if err != nil {
		return err
	}
	return s.render(c, status, views.ApplyOrgansPage(views.ApplyOrgansModel{Page: s.page(c, "apply.organs.title"), ID: id,
		Form: f, Organs: organs, Selected: sel}))
}

// handleApplyOrgansSave serves POST /apply/:id/organs.
func (s *Server) handleApplyOrgansSave(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return portal.Invalid("error.bad_request")
	}
	holders, err := s.applyOrganOptions(applyHolderKinds...)
	if err != nil {
		return err
	}
	sel := map[uint64]bool{}
	var ids []uint64
	for _, v := range params["holding_organs"] {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil || sel[id] || !slices.ContainsFunc(holders, func(o views.ApplyOrganOption) bool { return o.ID == id }) {
			continue
		}
		sel[id] = true
		ids = append(ids, id)
	}
	cs, err := s.db.UpdateDraft(ac.cs.ID, func(d *portal.Case) error { d.HoldingOrganIDs = ids; return nil })
	if err != nil {
		return err
	}
	if fe := cs.SectionErrors(portal.SectionOrgans, s.today()); len(fe) > 0 {
		return s.renderApplyOrgans(c, http.StatusUnprocessableEntity, cs.ID, sel, views.Form{Errors: fe})
	}
	return c.Redirect(http.StatusSeeOther, s.applyAfterSave(c, cs))
}

// ---- Documents ----

// applyDocKinds are the kinds an applicant in this capacity chooses from:
// proof of guardianship only for a guardian, a power of attorney only for a
// lawyer.
func applyDocKinds(capacity portal.FilerCapacity) []portal.DocumentKind {
	var out []portal.DocumentKind
	for _, k := range portal.DocumentKinds {
		switch {
		case k == portal.DocGuardianship && capacity != portal.CapacityGuardian,
			k == portal.DocPowerOfAttorney && capacity != portal.CapacityLawyer:
			continue
		}
		out = append(out, k)
	}
	return out
}

// applyMissingDocs lists the documents the application still needs.
func applyMissingDocs(cs portal.Case) []string {
	var out []string
	if !cs.HasDocument(portal.DocJudgment) {
		out = append(out, "apply.doc_judgment_required")
	}
	if !cs.HasDocument(portal.DocIdentity) {
		out = append(out, "apply.doc_identity_required")
	}
	if cs.Capacity == portal.CapacityGuardian && !cs.HasDocument(portal.DocGuardianship) {
		out = append(out, "apply.doc_guardianship_required")
	}
	if cs.Capacity == portal.CapacityLawyer && !cs.HasDocument(portal.DocPowerOfAttorney) {
		out = append(out, "apply.doc_attorney_required")
	}
	return out
}

func (s *Server) renderApplyDocuments(c echo.Context, status int, cs portal.Case, f views.Form, notice string) error {
	return s.render(c, status, views.ApplyDocumentsPage(views.ApplyDocumentsModel{Page: s.page(c, "apply.documents.title"),
		ID: cs.ID, Capacity: cs.Capacity, Form: f, Documents: cs.Documents, Kinds: applyDocKinds(cs.Capacity),
		Missing: applyMissingDocs(cs), Needed: applyNeededKinds(cs), Full: len(cs.Documents) >= portal.MaxDocumentsPerCase, NoticeKey: notice}))
}

// handleApplyDocuments serves GET /apply/:id/documents: the documents
// uploaded so far, the ones still needed, and the upload form.
func (s *Server) handleApplyDocuments(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	notice := ""
	switch c.QueryParam("done") {
	case "uploaded":
		notice = "apply.notice_uploaded"
	case "removed":
		notice = "apply.notice_removed"
	}
	return s.renderApplyDocuments(c, http.StatusOK, ac.cs, views.Form{}, notice)
}

// handleApplyUpload serves POST /apply/:id/documents (multipart): one file of
// the chosen kind, a PDF, JPEG or PNG by its content, at most 10 MB, at most
// 20 per application (the store counts). A refused file shows the page again
// with the chosen kind kept and the documents already uploaded listed.
func (s *Server) handleApplyUpload(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	kind := portal.DocumentKind(c.FormValue("kind"))
	var fe portal.FieldErrors
	if !slices.Contains(applyDocKinds(ac.cs.Capacity), kind) {
		fe.Add("kind", "apply.doc_kind_required")
	}
	var doc portal.Document
	var content []byte
	fh, err := c.FormFile("file")
	switch {
	case err != nil || fh == nil:
		// No file chosen (or a form that is not multipart at all).
		fe.Add("file", "upload.required")
	default:
		doc, content, err = readUpload(fh, portal.NewUploadBudget())
		if err != nil {
			pe, ok := portal.AsError(err)
			if !ok || pe.Code != portal.CodeInvalid {
				return err
			}
			for k, v := range pe.Fields {
				fe.Add(k, v)
			}
		}
	}
	if len(fe) == 0 {
		doc.Kind, doc.UploadedBy = kind, ac.u.ID
		if _, err = s.db.AddDocument(ac.cs.ID, doc, content); err != nil {
			pe, ok := portal.AsError(err)
			if !ok || pe.Code != portal.CodeInvalid {
				return err
			}
			for k, v := range pe.Fields {
				fe.Add(k, v)
			}
			fe.Add("file", pe.Key)
		}
	}
	if len(fe) > 0 {
		return s.renderApplyDocuments(c, http.StatusUnprocessableEntity, ac.cs,
			views.Form{Values: map[string]string{"kind": string(kind)}, Errors: fe}, "")
	}
	return c.Redirect(http.StatusSeeOther, applyPath(ac.cs.ID, "documents?done=uploaded"))
}

// handleApplyDocumentRemove serves POST /apply/:id/documents/:doc/remove.
func (s *Server) handleApplyDocumentRemove(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	if _, found := ac.cs.Document(docID); !found {
		return portal.NotFound()
	}
	if err := s.db.RemoveDocument(ac.cs.ID, docID, ac.u.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, applyPath(ac.cs.ID, "documents?done=removed"))
}

// handleApplyDocumentDownload serves GET /apply/:id/documents/:doc: a
// document of the applicant's own application, whatever its status.
func (s *Server) handleApplyDocumentDownload(c echo.Context) error {
	ac, ok, err := s.loadApply(c, false)
	if !ok {
		return err
	}
	docID, err := pathID(c, "doc")
	if err != nil {
		return err
	}
	d, found := ac.cs.Document(docID)
	if !found {
		return portal.NotFound()
	}
	content, err := s.db.DocumentContent(ac.cs.ID, docID)
	if err != nil {
		return err
	}
	// Issue 11: every read of a document by any account is audited.
	if err := s.db.RecordCitizenRead(ac.cs.ID, *ac.u, "document:"+strconv.FormatUint(d.ID, 10), requestID(c)); err != nil {
		return err
	}
	return serveDocument(c, d, content)
}

// ---- Declarations ----

// handleApplyDeclarationsForm serves GET /apply/:id/declarations. R23: the
// only declaration is that the information given is true; no page ever asks a
// person to declare a record anywhere else.
func (s *Server) handleApplyDeclarationsForm(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	f := views.Form{Values: map[string]string{}}
	if ac.cs.DeclaredTrue {
		f.Values["declare_true"] = "yes"
	}
	return s.render(c, http.StatusOK, views.ApplyDeclarationsPage(views.ApplyDeclarationsModel{
		Page: s.page(c, "apply.declarations.title"), ID: ac.cs.ID, Form: f}))
}

// handleApplyDeclarationsSave serves POST /apply/:id/declarations.
func (s *Server) handleApplyDeclarationsSave(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	declared := c.FormValue("declare_true") == "yes"
	cs, err := s.db.UpdateDraft(ac.cs.ID, func(d *portal.Case) error { d.DeclaredTrue = declared; return nil })
	if err != nil {
		return err
	}
	if fe := cs.SectionErrors(portal.SectionDeclarations, s.today()); len(fe) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, views.ApplyDeclarationsPage(views.ApplyDeclarationsModel{
			Page: s.page(c, "apply.declarations.title"), ID: cs.ID, Form: views.Form{Values: map[string]string{}, Errors: fe}}))
	}
	return c.Redirect(http.StatusSeeOther, s.applyAfterSave(c, cs))
}

// ---- Check your answers, submission, confirmation ----

// applyProblems turns ValidateForSubmit's fields ("section.field") into links
// to each field on its section's page, in the order of the task list.
func applyProblems(err error) []views.ApplyProblem {
	pe, ok := portal.AsError(err)
	if !ok {
		return nil
	}
	var out []views.ApplyProblem
	for k, v := range pe.Fields {
		sec, field, found := strings.Cut(k, ".")
		if !found || !slices.Contains(portal.Sections, sec) {
			continue
		}
		out = append(out, views.ApplyProblem{Section: sec, Field: field, Key: v})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := slices.Index(portal.Sections, out[i].Section), slices.Index(portal.Sections, out[j].Section)
		if a != b {
			return a < b
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// applyCheckModel is every answer of the application, the problems that
// stop it from being sent, what the rules say, and the date by which the
// organ must accept or return it if sent today.
func (s *Server) applyCheckModel(c echo.Context, cs portal.Case, submitErr error) (views.ApplyCheckModel, error) {
	today := s.today()
	m := views.ApplyCheckModel{Page: s.page(c, "apply.check.title"), ID: cs.ID, Status: cs.Status, Capacity: cs.Capacity,
		PersonName: cs.PersonName, PersonID: cs.PersonIDNumber, CaseNumber: cs.OrganCaseNumber, Disposition: cs.Disposition,
		DecisionDate: cs.DecisionDate, Intent: cs.Intent, Penalty: cs.Penalty, Documents: cs.Documents,
		DeclaredTrue: cs.DeclaredTrue, Eligibility: applyEligibility(cs)}
	if b, ok := cs.PersonBirthDate(); ok {
		m.BirthDate = b
	}
	for _, a := range cs.Acts {
		m.Acts = append(m.Acts, views.ApplyAct{Date: a.Date, Main: a.Main})
	}
	organs, err := s.db.Organs()
	if err != nil {
		return m, err
	}
	names := map[uint64]string{}
	for _, o := range organs {
		names[o.ID] = o.Name
	}
	m.DecidingName = names[cs.DecidingOrganID]
	for _, id := range cs.HoldingOrganIDs {
		m.Holders = append(m.Holders, names[id])
	}
	posted := submitErr != nil
	if submitErr == nil {
		submitErr = cs.ValidateForSubmit(today)
	}
	m.Problems = applyProblems(submitErr)
	// The declaration is made on this page (checkflow.go).
	m.Problems, m.DeclareError = applySplitDeclaration(m.Problems, posted)
	// The acceptance deadline is counted on the official calendar; a year the
	// calendar lacks shows no date rather than a guess.
	if due, err := s.cfg.Calendar.Due(today, portal.Policy.ApplicationAcceptance); err == nil {
		m.Due = due
	}
	return m, nil
}

// handleApplyCheck serves GET /apply/:id/check.
func (s *Server) handleApplyCheck(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	m, err := s.applyCheckModel(c, ac.cs, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ApplyCheckPage(m))
}

// handleApplySubmit serves POST /apply/:id/submit: the state machine sends a
// draft or a returned application to the deciding organ; the store checks
// every section in the same transaction. Problems show the check page again
// with links to the pages to fix.
func (s *Server) handleApplySubmit(c echo.Context) error {
	ac, ok, err := s.loadApply(c, false)
	if !ok {
		return err
	}
	if !applyEditable(ac.cs) {
		// Sent already: a retry (after a commit of unknown outcome, or a
		// second press) answers with the confirmation (outcome.go).
		return c.Redirect(http.StatusSeeOther, applyPath(ac.cs.ID, "done"))
	}
	if ac.cs, err = s.applyDeclareOnSubmit(c, ac.cs); err != nil {
		return err
	}
	cs, err := s.db.Apply(ac.cs.ID, store.Step{Action: portal.ActionSubmit, Actor: portal.ActorApplicant, AccountID: ac.u.ID,
		Role: ac.u.Role, RequestID: requestID(c)}, s.cfg.Calendar)
	if err != nil {
		pe, isPE := portal.AsError(err)
		if !isPE || pe.Code != portal.CodeInvalid || len(pe.Fields) == 0 {
			return err
		}
		m, merr := s.applyCheckModel(c, ac.cs, err)
		if merr != nil {
			return merr
		}
		return s.render(c, http.StatusUnprocessableEntity, views.ApplyCheckPage(m))
	}
	return c.Redirect(http.StatusSeeOther, applyPath(cs.ID, "done"))
}

// handleApplyDone serves GET /apply/:id/done: the reference number and what
// happens next. An application not (or no longer) sent goes to its task list.
func (s *Server) handleApplyDone(c echo.Context) error {
	ac, ok, err := s.loadApply(c, false)
	if !ok {
		return err
	}
	if ac.cs.Ref == "" || applyEditable(ac.cs) {
		return c.Redirect(http.StatusSeeOther, applyPath(ac.cs.ID, ""))
	}
	m := views.ApplyDoneModel{Page: s.page(c, "apply.done.title"), ID: ac.cs.ID, Ref: ac.cs.Ref, Status: ac.cs.Status}
	if ac.cs.Status == portal.StatusSubmitted {
		// The deadline of acceptance; later stages have deadlines of their own,
		// shown on the case page.
		m.Due = ac.cs.Due
	}
	return s.render(c, http.StatusOK, views.ApplyDonePage(m))
}

// ---- Deleting a draft ----

// applyDeletable: only the filer deletes, and only a draft never submitted
// (submitted cases are never deleted, R11).
func applyDeletable(ac applyCtx) error {
	if ac.rel != store.RelFiler {
		return portal.Forbidden("apply.delete_filer_only")
	}
	if ac.cs.Status != portal.StatusDraft || ac.cs.Ref != "" {
		return portal.Conflict("case.not_deletable")
	}
	return nil
}

// handleApplyDeleteForm serves GET /apply/:id/delete: are you sure?
func (s *Server) handleApplyDeleteForm(c echo.Context) error {
	ac, ok, err := s.loadApply(c, true)
	if !ok {
		return err
	}
	if err := applyDeletable(ac); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ApplyDeletePage(views.ApplyDeleteModel{Page: s.page(c, "apply.delete.title"),
		ID: ac.cs.ID, PersonName: ac.cs.PersonName}))
}

// handleApplyDelete serves POST /apply/:id/delete. A submitted application is
// refused (409), never redirected: nothing is deleted.
func (s *Server) handleApplyDelete(c echo.Context) error {
	ac, ok, err := s.loadApply(c, false)
	if !ok {
		return err
	}
	if err := applyDeletable(ac); err != nil {
		return err
	}
	if err := s.db.DeleteDraft(ac.cs.ID, ac.u.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/apply?done=deleted")
}
