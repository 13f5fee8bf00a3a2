package portal

import "strings"

// The citation table: the provisions of law an organ may cite in a written
// decision (issue 18). Officials choose citations from this one table, and
// every document — sealing decisions and notices, refusals, unsealing
// decisions, query decision letters, the procuratorate's correction opinions
// and suggestions — prints the chosen citations in the reader's language.
// Documents cite the law, never the portal's rule ids (R1…), which are an
// engineering index into shared/DOMAIN.md.
//
// Sources are those of shared/DOMAIN.md. The 2022 Implementation Measures are
// cited by number only for their first three articles; beyond those,
// DOMAIN.md names the topic rather than a number on purpose (the numbering of
// a provision we have not verified against the official text must not appear
// on a legal document), so those citations name the Measures' provision by
// its subject.
//
// Citation ids are stable: a stored document keeps the ids it cited, and a
// later change of wording here must not change what an id refers to. Add new
// ids rather than reusing old ones.

// Citation is one provision of law as it is printed on a document.
type Citation struct {
	ID string // stable, e.g. "cpl-286"
	ZH string // as printed in Chinese, e.g. 《中华人民共和国刑事诉讼法》第二百八十六条
	EN string // the English rendering
}

// In returns the citation's text in a language ("en" gives English, anything
// else Chinese, the portal's default).
func (c Citation) In(lang string) string {
	if strings.HasPrefix(lang, "en") {
		return c.EN
	}
	return c.ZH
}

// Titles of the instruments, written once.
const (
	zhCPL      = "《中华人民共和国刑事诉讼法》"
	zhCL       = "《中华人民共和国刑法》"
	zhMeasures = "《最高人民法院、最高人民检察院、公安部、司法部关于未成年人犯罪记录封存的实施办法》"
	zhSPP      = "《人民检察院刑事诉讼规则》"
	zhMPS      = "《公安机关办理犯罪记录查询工作规定》"
	zhMPL      = "《中华人民共和国未成年人保护法》"
	zhPIPL     = "《中华人民共和国个人信息保护法》"
	zhPJDL     = "《中华人民共和国预防未成年人犯罪法》"
	zhSPCInt   = "《最高人民法院关于适用〈中华人民共和国刑事诉讼法〉的解释》"

	enCPL      = "Criminal Procedure Law of the People's Republic of China"
	enCL       = "Criminal Law of the People's Republic of China"
	enMeasures = "Implementation Measures on the Sealing of Juvenile Criminal Records (Supreme People's Court, Supreme People's Procuratorate, Ministry of Public Security, Ministry of Justice, 2022)"
	enSPP      = "Criminal Procedure Rules of the People's Procuratorates (2019)"
	enMPS      = "Provisions on Criminal Record Queries by Public Security Organs (2021)"
	enMPL      = "Law of the People's Republic of China on the Protection of Minors"
	enPIPL     = "Personal Information Protection Law of the People's Republic of China"
	enPJDL     = "Law of the People's Republic of China on Preventing Juvenile Delinquency"
	enSPCInt   = "Interpretation of the Supreme People's Court on the Application of the Criminal Procedure Law (2021)"
)

// citationTable is the one table, in the order a picker lists it.
var citationTable = []Citation{
	// The statutes.
	{ID: "cpl-286", ZH: zhCPL + "第二百八十六条", EN: enCPL + ", art. 286"},
	{ID: "cl-99", ZH: zhCL + "第九十九条", EN: enCL + ", art. 99"},
	{ID: "cl-100-2", ZH: zhCL + "第一百条第二款", EN: enCL + ", art. 100 para. 2"},
	{ID: "cl-6", ZH: zhCL + "第六条", EN: enCL + ", art. 6"},
	{ID: "cl-17", ZH: zhCL + "第十七条", EN: enCL + ", art. 17"},
	{ID: "cl-35", ZH: zhCL + "第三十五条", EN: enCL + ", art. 35"},
	{ID: "cl-69", ZH: zhCL + "第六十九条", EN: enCL + ", art. 69"},
	{ID: "cl-69-71-77", ZH: zhCL + "第六十九条至第七十一条、第七十七条", EN: enCL + ", arts. 69–71 and 77"},
	{ID: "cl-72", ZH: zhCL + "第七十二条", EN: enCL + ", art. 72"},
	{ID: "cl-96", ZH: zhCL + "第九十六条", EN: enCL + ", art. 96"},

	// The Measures (2022): numbered for arts. 1–3, by subject beyond them.
	{ID: "measures-2", ZH: zhMeasures + "第二条", EN: enMeasures + ", art. 2"},
	{ID: "measures-eligibility", ZH: zhMeasures + "关于应当封存的未成年人犯罪记录的规定", EN: enMeasures + ", provision on the records that shall be sealed"},
	{ID: "measures-both-sides-18", ZH: zhMeasures + "关于年满十八周岁前后实施数个行为的规定", EN: enMeasures + ", provision on acts before and after the 18th birthday"},
	{ID: "measures-co-offenders", ZH: zhMeasures + "关于未成年人与成年人共同犯罪案件的规定", EN: enMeasures + ", provision on joint crimes of minors and adults"},
	{ID: "measures-other-cases", ZH: zhMeasures + "关于其他案件使用封存信息的规定", EN: enMeasures + ", provision on other cases using sealed information"},
	{ID: "measures-acquittal", ZH: zhMeasures + "关于事实不清、证据不足宣告无罪案件的规定", EN: enMeasures + ", provision on acquittals for unclear facts or insufficient evidence"},
	{ID: "measures-explain-rights", ZH: zhMeasures + "关于封存决定机关释明封存制度并告知权利义务的规定", EN: enMeasures + ", provision on explaining sealing and the person's rights and duties"},
	{ID: "measures-no-declaration", ZH: zhMeasures + "关于免除入伍、就业时报告义务的规定", EN: enMeasures + ", provision on exemption from declaring the record when enlisting or taking a job"},
	{ID: "measures-court-notice", ZH: zhMeasures + "关于人民法院送达《犯罪记录封存通知书》的规定", EN: enMeasures + ", provision on the court serving the Criminal Record Sealing Notice"},
	{ID: "measures-procuratorate-notice", ZH: zhMeasures + "关于人民检察院不起诉后送达《犯罪记录封存通知书》的规定", EN: enMeasures + ", provision on the procuratorate serving the Sealing Notice after non-prosecution"},
	{ID: "measures-organ-duties", ZH: zhMeasures + "关于公安机关、人民检察院、人民法院和司法行政机关封存各自犯罪记录的规定", EN: enMeasures + ", provision on each organ sealing the records it holds"},
	{ID: "measures-certificate", ZH: zhMeasures + "关于出具无犯罪记录证明的规定", EN: enMeasures + ", provision on certificates of no criminal record"},
	{ID: "measures-query", ZH: zhMeasures + "关于查询封存犯罪记录的规定", EN: enMeasures + ", provision on queries of sealed records"},
	{ID: "measures-unsealing", ZH: zhMeasures + "关于解除封存的规定", EN: enMeasures + ", provision on unsealing"},
	{ID: "measures-accountability", ZH: zhMeasures + "关于不当泄露未成年人犯罪记录责任的规定", EN: enMeasures + ", provision on liability for improper disclosure"},
	{ID: "measures-relief", ZH: zhMeasures + "关于申请封存和申请人民检察院监督的规定", EN: enMeasures + ", provision on asking for sealing and for the procuratorate's supervision"},
	{ID: "measures-supervision", ZH: zhMeasures + "关于人民检察院法律监督的规定", EN: enMeasures + ", provision on the procuratorate's legal supervision"},
	{ID: "measures-old-cases", ZH: zhMeasures + "关于本办法施行前办结案件的规定", EN: enMeasures + ", provision on cases concluded before the Measures"},

	// Rules of the procuratorate and the police.
	{ID: "spp-481-489", ZH: zhSPP + "第四百八十一条至第四百八十九条", EN: enSPP + ", arts. 481–489"},
	{ID: "spp-484", ZH: zhSPP + "第四百八十四条", EN: enSPP + ", art. 484"},
	{ID: "spp-485", ZH: zhSPP + "第四百八十五条", EN: enSPP + ", art. 485"},
	{ID: "mps-queries", ZH: zhMPS, EN: enMPS},

	// Protection of minors and of personal information.
	{ID: "mpl-103", ZH: zhMPL + "第一百零三条", EN: enMPL + ", art. 103"},
	{ID: "mpl-105", ZH: zhMPL + "第一百零五条", EN: enMPL + ", art. 105"},
	{ID: "mpl-113", ZH: zhMPL + "第一百一十三条", EN: enMPL + ", art. 113"},
	{ID: "pjdl-59-2", ZH: zhPJDL + "第五十九条第二款", EN: enPJDL + ", art. 59 para. 2"},
	{ID: "pipl-28-31", ZH: zhPIPL + "第二十八条至第三十一条", EN: enPIPL + ", arts. 28–31"},
	{ID: "pipl-57", ZH: zhPIPL + "第五十七条", EN: enPIPL + ", art. 57"},
	{ID: "spc-interp-146", ZH: zhSPCInt + "第一百四十六条", EN: enSPCInt + ", art. 146"},
}

// ruleCitations maps each rule of shared/DOMAIN.md to the citations that
// support a decision under it, most specific first. A picker offers these
// first; an official may choose any citation of the table.
var ruleCitations = map[string][]string{
	"R1":   {"cpl-286", "measures-eligibility"},
	"R2":   {"cpl-286", "cl-99", "measures-eligibility"},
	"R3":   {"cpl-286", "measures-eligibility", "cl-72"},
	"R4":   {"cpl-286", "cl-69", "measures-eligibility"},
	"R5":   {"measures-both-sides-18", "cpl-286"},
	"R6":   {"cpl-286", "measures-eligibility"},
	"R7":   {"measures-2", "cpl-286"},
	"R8":   {"measures-procuratorate-notice", "spp-481-489", "cpl-286"},
	"R9":   {"measures-eligibility", "cl-17", "cpl-286"},
	"R10":  {"measures-acquittal", "cpl-286"},
	"R11":  {"cpl-286", "measures-organ-duties"},
	"R12":  {"measures-organ-duties", "measures-court-notice", "measures-procuratorate-notice", "cpl-286"},
	"R13":  {"measures-explain-rights", "cl-100-2", "measures-no-declaration"},
	"R14":  {"measures-certificate", "mps-queries", "cpl-286"},
	"R14a": {"spp-484", "measures-query", "cpl-286"},
	"R15":  {"cpl-286", "measures-query", "cl-96"},
	"R16":  {"measures-query", "spp-481-489", "cpl-286"},
	"R17":  {"cpl-286", "measures-query"},
	"R18":  {"measures-unsealing", "spp-485"},
	"R19":  {"measures-unsealing", "spp-485", "cl-69-71-77"},
	"R20":  {"measures-co-offenders", "mpl-103"},
	"R21":  {"measures-other-cases"},
	"R22":  {"mpl-103"},
	"R23":  {"cl-100-2", "measures-no-declaration", "mpl-113"},
	"R24":  {"measures-relief", "mpl-105", "measures-supervision"},
	"R25":  {"measures-accountability"},
	"R26":  {"measures-old-cases"},
	"R27":  {"measures-both-sides-18"},
	"R28":  {"pjdl-59-2", "cl-35"},
	"R29":  {"cl-17", "cl-69", "cl-72"},
	"R30":  {"spc-interp-146"},
	"R31":  {"cl-6"},
	"R32":  {"measures-unsealing"},
	"R33":  {"measures-court-notice", "measures-organ-duties", "measures-supervision", "pipl-57"},
}

var citationIndex = func() map[string]int {
	m := make(map[string]int, len(citationTable))
	for i, c := range citationTable {
		m[c.ID] = i
	}
	return m
}()

// Citations returns the whole table, in picker order. The slice is a copy.
func Citations() []Citation {
	return append([]Citation(nil), citationTable...)
}

// CitationByID looks a citation up by its stable id.
func CitationByID(id string) (Citation, bool) {
	i, ok := citationIndex[id]
	if !ok {
		return Citation{}, false
	}
	return citationTable[i], true
}

// CitationsForRule returns the citations supporting a decision under a rule
// (an id of shared/DOMAIN.md such as "R12"); nil for an unknown rule.
func CitationsForRule(rule string) []Citation {
	ids := ruleCitations[rule]
	out := make([]Citation, 0, len(ids))
	for _, id := range ids {
		if c, ok := CitationByID(id); ok {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// CitationsForRules returns the citations of several rules, each once, in
// the order the rules name them.
func CitationsForRules(rules []string) []Citation {
	seen := map[string]bool{}
	var out []Citation
	for _, r := range rules {
		for _, c := range CitationsForRule(r) {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// ParseCitationIDs checks ids chosen on a form: each must be in the table, and
// each is kept once, in the order given. It reports false on an unknown id.
func ParseCitationIDs(ids []string) ([]string, bool) {
	seen := map[string]bool{}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		if _, ok := citationIndex[id]; !ok {
			return nil, false
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, true
}
