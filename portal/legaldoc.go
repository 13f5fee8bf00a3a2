package portal

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Written legal documents (issue 18). Every decision of an organ produces a
// numbered document in the organ's name: the sealing notice served on the
// person and the guardian and sent to every organ that holds records (R12,
// R33), the decision not to seal with its reasons, the unsealing decision sent
// to every holder (R18), and the query decision letter to the querying unit
// (R16). The wording is composed here, once, when the document is issued, in
// Chinese and — where the person's language differs — in that language too;
// the store archives it sealed and never changes it, so what was served is
// what is printed years later, whatever the message catalogue says by then.

// LegalDocKind is what a document is.
type LegalDocKind string

// The kinds of document.
const (
	DocSealingNotice     LegalDocKind = "sealing_notice"     // 犯罪记录封存通知书 (R12, R33)
	DocRefusalDecision   LegalDocKind = "refusal_decision"   // 不予封存决定书
	DocUnsealingDecision LegalDocKind = "unsealing_decision" // 解除犯罪记录封存决定书 (R18)
	DocQueryDecision     LegalDocKind = "query_decision"     // 查询封存犯罪记录决定书 (R16)
)

// The audit actions of the documents.
const (
	AuditLegalDocIssued  AuditAction = "legal_document_issued"
	AuditLegalDocServed  AuditAction = "legal_document_served"
	AuditRightsExplained AuditAction = "rights_explained" // R13
)

// LegalDocKinds lists the kinds.
var LegalDocKinds = []LegalDocKind{DocSealingNotice, DocRefusalDecision, DocUnsealingDecision, DocQueryDecision}

// numberWord is the word of each kind's number, as in 〔2026〕法0003封字第12号.
// Each word has its own sequence per organ and year.
func (k LegalDocKind) numberWord() string {
	switch k {
	case DocSealingNotice:
		return "封"
	case DocRefusalDecision:
		return "不封"
	case DocUnsealingDecision:
		return "解封"
	case DocQueryDecision:
		return "查"
	}
	return ""
}

// NumberWord is the word of the kind's number; "" for an unknown kind.
func (k LegalDocKind) NumberWord() string { return k.numberWord() }

// OrganDocPrefix is the organ's prefix in a document number. Organs are not
// registered with their official code (e.g. 京0105), so the prefix is the
// organ kind's character and the organ's portal id, which is unique and never
// reused: 法0003 is the court registered third.
func OrganDocPrefix(o Organ) string {
	c := map[Role]string{RoleCourt: "法", RoleProcuratorate: "检", RolePolice: "公", RoleJudicialAdmin: "司", RoleSupervisor: "检"}[o.Kind]
	if c == "" {
		c = "机"
	}
	return fmt.Sprintf("%s%04d", c, o.ID)
}

// LegalDocNumber formats a document number: the year in 〔〕, the organ's
// prefix, the kind's word and the sequence, e.g. 〔2026〕法0003封字第12号.
func LegalDocNumber(o Organ, year int, k LegalDocKind, seq uint64) string {
	return fmt.Sprintf("〔%d〕%s%s字第%d号", year, OrganDocPrefix(o), k.numberWord(), seq)
}

// RecipientKind is who a document is served on or sent to.
type RecipientKind string

// The recipients.
const (
	RecipientPerson   RecipientKind = "person"   // the person the record is about
	RecipientGuardian RecipientKind = "guardian" // the person's guardian (legal representative)
	RecipientOrgan    RecipientKind = "organ"    // an organ that holds records of the case
	RecipientUnit     RecipientKind = "unit"     // the querying unit
)

// Recipient is one addressee of a document.
type Recipient struct {
	Kind    RecipientKind
	OrganID uint64 // for an organ
	Name    string // the organ's or unit's name; the person's name for the person; "" for an unnamed guardian
}

// LegalDocText is the document in one language, frozen at issue.
type LegalDocText struct {
	Lang       string
	Title      string
	Addressee  string
	Paragraphs []string
	// BasisLine introduces the citations; Citations are their texts.
	BasisLine string
	Citations []string
	// Rights are the rights, duties and remedies the reader is told of.
	RightsTitle string
	Rights      []string
	CopiesTitle string
	Copies      []string
	Issuer      string
	DateLine    string
	// Translation: a translation into the person's language; the Chinese
	// text is the authentic one.
	Translation string
}

// LegalDocument is an issued document. It is archived sealed and never
// changed.
type LegalDocument struct {
	ID        uint64
	CaseID    uint64 // 0 for a query letter
	QueryID   uint64 // the query, for a query letter
	N         int    // its place among its case's (or query's) documents, from 1
	Kind      LegalDocKind
	Number    string
	OrganID   uint64
	IssuedBy  uint64
	IssuedAt  time.Time
	Date      Date
	Citations []string // citation ids of the table (citations.go)
	// Recipients are the addressee first, then the copies.
	Recipients []Recipient
	Texts      []LegalDocText // Chinese first
}

// Text returns the document in lang, or the Chinese text.
func (d LegalDocument) Text(lang string) LegalDocText {
	for _, t := range d.Texts {
		if t.Lang == lang {
			return t
		}
	}
	return d.Texts[0]
}

// Addressed reports whether the document is addressed to (or copied to) the
// recipient kind; for organs, to that organ.
func (d LegalDocument) Addressed(k RecipientKind, organ uint64) bool {
	return slices.ContainsFunc(d.Recipients, func(r Recipient) bool {
		return r.Kind == k && (k != RecipientOrgan || r.OrganID == organ)
	})
}

// LegalDocFacts are what a document is composed from.
type LegalDocFacts struct {
	Kind      LegalDocKind
	Organ     Organ
	Date      Date
	Number    string
	Langs     []string // the languages; Chinese is always included first
	Citations []string
	// Reasons are the official's reasons in his own words (the refusal's,
	// the unsealing's, a refused query's).
	Reasons string

	// The case.
	CaseRef         string
	OrganCaseNumber string
	PersonName      string
	Guardian        string // the guardian's name where known; "" otherwise
	HasGuardian     bool
	Holders         []Recipient

	// The query.
	QueryRef   string
	UnitName   string
	Approved   bool
	WindowFrom Date
	WindowTo   Date
}

// MaxReasonRunes bounds an official's reasons on a document.
const MaxReasonRunes = 2000

// Validate checks the facts before a document is composed.
func (f LegalDocFacts) Validate() error {
	var fe FieldErrors
	if f.Kind.numberWord() == "" {
		return &Error{Code: CodeInvalid, Key: "legaldoc.kind_unknown"}
	}
	if len(f.Citations) == 0 {
		fe.Add("citations", "legaldoc.citations_required")
	}
	if _, ok := ParseCitationIDs(f.Citations); !ok {
		fe.Add("citations", "legaldoc.citations_invalid")
	}
	needsReasons := f.Kind == DocRefusalDecision || (f.Kind == DocQueryDecision && !f.Approved)
	if needsReasons && strings.TrimSpace(f.Reasons) == "" {
		fe.Add("note", "case.reason_required")
	}
	if utf8.RuneCountInString(f.Reasons) > MaxReasonRunes {
		fe.Add("note", "legaldoc.reasons_too_long")
	}
	return fe.Err()
}

// ComposeLegalDocument writes the document in each language of the facts.
func ComposeLegalDocument(f LegalDocFacts) (LegalDocument, error) {
	if err := f.Validate(); err != nil {
		return LegalDocument{}, err
	}
	d := LegalDocument{Kind: f.Kind, Number: f.Number, OrganID: f.Organ.ID, Date: f.Date, Citations: slices.Clone(f.Citations)}
	d.Recipients = composeRecipients(f)
	langs := []string{LangZH}
	for _, l := range f.Langs {
		if l = NormalizeLang(l); !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	for _, l := range langs {
		d.Texts = append(d.Texts, composeText(f, l))
	}
	return d, nil
}

// docWords are the fixed words of the documents, [zh, en].
var docWords = map[string][2]string{
	"title." + string(DocSealingNotice):     {"犯罪记录封存通知书", "Notice of Sealing of a Criminal Record"},
	"title." + string(DocRefusalDecision):   {"不予封存犯罪记录决定书", "Decision Not to Seal a Criminal Record"},
	"title." + string(DocUnsealingDecision): {"解除犯罪记录封存决定书", "Decision to Unseal a Criminal Record"},
	"title." + string(DocQueryDecision):     {"查询封存犯罪记录决定书", "Decision on a Query of a Sealed Criminal Record"},
	"basis":                                 {"依据：", "Legal basis:"},
	"rights":                                {"权利、义务和救济", "Rights, duties and remedies"},
	"copies":                                {"送达、抄送", "Served on and sent to"},
	"guardian":                              {"法定代理人", "the legal representative"},
	"translation":                           {"", "Translation for the reader. The Chinese text is the authentic one."},
	"reasons":                               {"理由：", "Reasons:"},
}

func word(key, lang string) string {
	w := docWords[key]
	if lang == LangEN {
		return w[1]
	}
	return w[0]
}

func dateLine(d Date, lang string) string {
	if lang == LangEN {
		return d.Time().Format("2 January 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

func recipientName(r Recipient, lang string) string {
	if r.Kind == RecipientGuardian {
		if r.Name != "" {
			if lang == LangEN {
				return r.Name + " (" + word("guardian", lang) + ")"
			}
			return r.Name + "（" + word("guardian", lang) + "）"
		}
		return word("guardian", lang)
	}
	return r.Name
}

// composeText writes the document in one language. Every sentence of law is
// here, in both languages side by side, so that a lawyer can read and change
// them in one place.
func composeText(f LegalDocFacts, lang string) LegalDocText {
	en := lang == LangEN
	pick := func(zh, e string) string {
		if en {
			return e
		}
		return zh
	}
	t := LegalDocText{Lang: lang, Title: word("title."+string(f.Kind), lang), BasisLine: word("basis", lang),
		RightsTitle: word("rights", lang), CopiesTitle: word("copies", lang), Issuer: f.Organ.Name, DateLine: dateLine(f.Date, lang),
		Translation: word("translation", lang)}
	for _, id := range f.Citations {
		if c, ok := CitationByID(id); ok {
			t.Citations = append(t.Citations, c.In(lang))
		}
	}
	reasons := strings.TrimSpace(f.Reasons)
	person := f.PersonName
	switch f.Kind {
	case DocSealingNotice:
		t.Addressee = pick(person+"：", person+",")
		t.Paragraphs = []string{
			pick(fmt.Sprintf("本机关办理的%s号案件（本系统编号%s），你的犯罪记录符合封存条件。本机关决定对该犯罪记录予以封存。", f.OrganCaseNumber, f.CaseRef),
				fmt.Sprintf("In case %s (portal reference %s) decided by this organ, your criminal record meets the conditions for sealing. This organ has decided to seal it.", f.OrganCaseNumber, f.CaseRef)),
			pick("封存的范围包括侦查、起诉、审判和刑罚执行过程中形成的全部案卷材料和电子档案，以及刑事强制措施、社会调查、帮教考察、心理疏导、司法救助等工作记录。本通知书同时送达持有该记录的机关，各机关应当在收到后三日内将其持有的记录封存。",
				"Sealing covers every file and electronic record of the investigation, prosecution, trial and execution, and the records of compulsory measures, social investigation, assistance, counselling and judicial aid. This notice is also sent to every organ holding these records, which must seal them within three days of receiving it."),
		}
		if reasons != "" {
			t.Paragraphs = append(t.Paragraphs, word("reasons", lang)+reasons)
		}
		t.Rights = []string{
			pick("封存的犯罪记录，除司法机关为办案需要或者有关单位根据国家规定进行查询外，不得向任何单位和个人提供；依法查询的单位应当对封存的犯罪记录保密。",
				"A sealed record is given to no unit or person, except to judicial organs that need it for a case and to units that query it under state regulations, who must keep it confidential."),
			pick("你在入伍、就业时，免除报告曾受过刑事处罚的义务；但因涉嫌再次犯罪接受司法机关调查时，应当如实供述。",
				"You need not declare the record when enlisting or taking a job; if you are investigated for a new crime, you must disclose it truthfully."),
			pick("你本人或者法定代理人可以申请出具无犯罪记录证明；只有被封存记录的，证明写明无犯罪记录。",
				"You or your legal representative may ask for a certificate of no criminal record; where the only records are sealed, it states that there is none."),
			pick("如发现应当封存的信息被不当公开，或者有关机关、单位未封存，致使你在就学、就业、生活保障等方面受到不同等对待，你和法定代理人可以向有关机关、单位提出封存申请，或者向人民检察院申请监督。",
				"If information that should be sealed is disclosed, or an organ or unit has not sealed it, and you are treated unequally at school, at work or in social security, you or your legal representative may ask that organ or unit to seal it, or ask the people's procuratorate to supervise."),
		}
	case DocRefusalDecision:
		t.Addressee = pick(person+"：", person+",")
		t.Paragraphs = []string{
			pick(fmt.Sprintf("本机关对%s号案件（本系统编号%s）的犯罪记录是否封存进行了审查，决定不予封存。", f.OrganCaseNumber, f.CaseRef),
				fmt.Sprintf("This organ has reviewed whether the criminal record of case %s (portal reference %s) is to be sealed, and has decided not to seal it.", f.OrganCaseNumber, f.CaseRef)),
			word("reasons", lang) + reasons,
		}
		t.Rights = []string{
			pick("如认为本决定有误，你和法定代理人可以向本机关提出意见并提交材料，本机关应当重新审查；也可以向人民检察院申请法律监督。",
				"If you consider this decision wrong, you or your legal representative may tell this organ and send documents, and it must review the case again; you may also ask the people's procuratorate to exercise its legal supervision."),
			pick("本决定不影响以后依法申请封存：符合封存条件的记录，机关应当依职权封存。",
				"This decision does not bar a later request: a record that meets the conditions must be sealed by the organs of their own motion."),
		}
	case DocUnsealingDecision:
		t.Addressee = pick(person+"：", person+",")
		t.Paragraphs = []string{
			pick(fmt.Sprintf("对%s号案件（本系统编号%s）已封存的犯罪记录，出现了依法应当解除封存的情形。本机关决定解除封存，自解除封存条件成立之日起，该记录不再受未成年人犯罪记录封存规定的限制。", f.OrganCaseNumber, f.CaseRef),
				fmt.Sprintf("A ground for unsealing has arisen against the sealed criminal record of case %s (portal reference %s). This organ has decided to unseal it: from the day the ground arose, the rules on sealing juvenile records no longer apply to it.", f.OrganCaseNumber, f.CaseRef)),
		}
		if reasons != "" {
			t.Paragraphs = append(t.Paragraphs, word("reasons", lang)+reasons)
		}
		t.Paragraphs = append(t.Paragraphs, pick("本决定书同时送达持有该记录的各机关。", "This decision is also sent to every organ holding the record."))
		t.Rights = []string{
			pick("解除封存前已经出具的无犯罪记录证明，不因解除封存而撤销。", "A certificate of no criminal record issued before the unsealing is not revoked by it."),
			pick("如认为本决定有误，你和法定代理人可以向本机关提出意见，也可以向人民检察院申请法律监督。",
				"If you consider this decision wrong, you or your legal representative may tell this organ, or ask the people's procuratorate to exercise its legal supervision."),
		}
	case DocQueryDecision:
		t.Addressee = pick(f.UnitName+"：", f.UnitName+",")
		if f.Approved {
			t.Paragraphs = []string{
				pick(fmt.Sprintf("你单位提出的查询申请（编号%s）已经本机关审查。本机关决定准予查询，查询范围限于本决定准许的内容，查询期间自%s至%s。", f.QueryRef, dateLine(f.WindowFrom, lang), dateLine(f.WindowTo, lang)),
					fmt.Sprintf("This organ has reviewed your unit's query (reference %s) and permits it, limited to what this decision approves, from %s to %s.", f.QueryRef, dateLine(f.WindowFrom, lang), dateLine(f.WindowTo, lang))),
			}
			t.Rights = []string{
				pick("查询结果在你单位签署保密承诺书后提供。你单位应当对查询获得的信息保密，不得用于查询目的以外的用途，不得向任何单位和个人提供。",
					"The result is released after your unit signs the confidentiality commitment. Your unit must keep what it learns confidential, use it for no other purpose and give it to no unit or person."),
				pick("泄露封存的犯罪记录的，依法追究责任。", "Leaking a sealed record is subject to discipline or prosecution under the law."),
			}
		} else {
			t.Paragraphs = []string{
				pick(fmt.Sprintf("你单位提出的查询申请（编号%s）已经本机关审查。本机关决定不予准许。", f.QueryRef),
					fmt.Sprintf("This organ has reviewed your unit's query (reference %s) and refuses it.", f.QueryRef)),
				word("reasons", lang) + reasons,
			}
			t.Rights = []string{
				pick("你单位可以补充查询理由、依据和目的后重新提出申请，或者向人民检察院反映。",
					"Your unit may apply again with a fuller reason, legal basis and purpose, or raise the matter with the people's procuratorate."),
			}
		}
	}
	for _, r := range composeRecipients(f) {
		t.Copies = append(t.Copies, recipientName(r, lang))
	}
	if !en {
		t.Translation = ""
	}
	return t
}

func composeRecipients(f LegalDocFacts) []Recipient {
	d := LegalDocument{}
	switch f.Kind {
	case DocQueryDecision:
		d.Recipients = []Recipient{{Kind: RecipientUnit, Name: f.UnitName}}
	default:
		d.Recipients = []Recipient{{Kind: RecipientPerson, Name: f.PersonName}}
		if f.HasGuardian {
			d.Recipients = append(d.Recipients, Recipient{Kind: RecipientGuardian, Name: f.Guardian})
		}
		if f.Kind != DocRefusalDecision {
			d.Recipients = append(d.Recipients, f.Holders...)
		}
	}
	return d.Recipients
}

// ServiceMethod is how a document was served.
type ServiceMethod string

// The methods of service.
const (
	ServeInPerson ServiceMethod = "in_person"
	ServePost     ServiceMethod = "post"
	ServePortal   ServiceMethod = "portal" // electronic, through the portal
	ServeSMS      ServiceMethod = "sms"    // an SMS notice that the document is waiting
)

// ServiceMethods lists the methods in the order a form offers them.
var ServiceMethods = []ServiceMethod{ServeInPerson, ServePost, ServePortal, ServeSMS}

// Service records that a document was served on, or sent to, one recipient.
type Service struct {
	Recipient  int // index into the document's Recipients
	Method     ServiceMethod
	On         Date // the day it was served
	By         uint64
	OrganID    uint64
	RecordedAt time.Time
	Note       string // e.g. the post's tracking number; never required
}

// MaxServiceNoteRunes bounds a service note.
const MaxServiceNoteRunes = 200

// ValidateService checks a service record against its document, as of today.
func ValidateService(d LegalDocument, s Service, today Date) error {
	var fe FieldErrors
	if s.Recipient < 0 || s.Recipient >= len(d.Recipients) {
		fe.Add("recipient", "legaldoc.recipient_required")
	}
	if !slices.Contains(ServiceMethods, s.Method) {
		fe.Add("method", "legaldoc.method_required")
	}
	switch {
	case s.On.IsZero():
		fe.Add("served_on", "legaldoc.date_invalid")
	case s.On.After(today):
		fe.Add("served_on", "legaldoc.date_future")
	case s.On.Before(d.Date):
		fe.Add("served_on", "legaldoc.date_before_issue")
	}
	if utf8.RuneCountInString(s.Note) > MaxServiceNoteRunes {
		fe.Add("note", "legaldoc.note_too_long")
	}
	return fe.Err()
}

// ExplainMethod is how the rights and duties were explained (R13).
type ExplainMethod string

// The ways of explaining.
const (
	ExplainInPerson ExplainMethod = "in_person"
	ExplainPhone    ExplainMethod = "phone"
	ExplainVideo    ExplainMethod = "video"
	ExplainWritten  ExplainMethod = "written"
)

// ExplainMethods lists them in form order.
var ExplainMethods = []ExplainMethod{ExplainInPerson, ExplainPhone, ExplainVideo, ExplainWritten}

// RightsExplanation records that the person and the guardian were told
// about sealing and their rights and duties (R13): who explained, when, how,
// and to whom. It is part of the case.
type RightsExplanation struct {
	By         uint64
	OrganID    uint64
	On         Date
	Method     ExplainMethod
	ToPerson   bool
	ToGuardian bool
	Note       string
	RecordedAt time.Time
}

// Validate checks an explanation as of today.
func (e RightsExplanation) Validate(today Date) error {
	var fe FieldErrors
	if !slices.Contains(ExplainMethods, e.Method) {
		fe.Add("method", "legaldoc.method_required")
	}
	switch {
	case e.On.IsZero():
		fe.Add("explained_on", "legaldoc.date_invalid")
	case e.On.After(today):
		fe.Add("explained_on", "legaldoc.date_future")
	}
	if !e.ToPerson && !e.ToGuardian {
		fe.Add("to", "legaldoc.explained_to_required")
	}
	if utf8.RuneCountInString(e.Note) > MaxServiceNoteRunes {
		fe.Add("note", "legaldoc.note_too_long")
	}
	return fe.Err()
}
