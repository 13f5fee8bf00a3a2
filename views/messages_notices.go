package views

// Messages of issue 16 ("no dead ends", "notices people can use"): the next
// steps after an overdue or refused case or a closed relief request, the
// numbers to call, the portal operator's contact, when a sealed record can be
// unsealed, the 18th-birthday handover, the quick exit that signs out, the
// grouped access log, the glossary and the articles of law citizens see
// instead of the portal's rule ids.
func init() {
	addMessages(map[string][2]string{
		// Next steps: no page ends without a way on.
		"notices.next.heading":         {"你接下来可以做什么", "What you can do next"},
		"notices.next.overdue":         {"办理机关没有在期限内完成这一步。你可以先在本页给机关留言催办；如果仍然没有进展，可以：", "The organ has not finished this step by the deadline. You can first send the organ a message on this page; if nothing happens, you can:"},
		"notices.next.rejected":        {"办理机关决定不封存这份记录。如果你认为这个决定不对，可以：", "The organ decided not to seal this record. If you think the decision is wrong, you can:"},
		"notices.next.relief_closed":   {"这份救济申请已经办结。如果问题没有解决，或者你对结果有疑问，可以：", "This relief request is closed. If the problem is not solved, or you have questions about the outcome, you can:"},
		"notices.next.relief_declined": {"检察院没有受理这份救济申请。如果你认为理由不对，或者情况有了变化，可以：", "The procuratorate did not take up this relief request. If you think the reason is wrong, or things have changed, you can:"},
		"notices.next.relief":          {"向检察院提出救济申请（救济：权利受到侵害时请求检察院纠正）", "Ask the procuratorate for relief (relief: asking the procuratorate to put right a wrong done to you)"},
		"notices.next.relief_again":    {"再提出一份新的救济申请，写明新的情况", "File a new relief request that says what is new"},
		"notices.next.12309":           {"拨打 12309 检察服务热线，或者访问 12309 中国检察网", "Call the procuratorate's 12309 service line, or visit the 12309 website"},
		"notices.next.12348":           {"拨打 12348 公共法律服务热线，问问能不能得到免费的法律援助", "Call 12348, the public legal services line, to ask about free legal aid"},
		"notices.next.contact":         {"更多联系方式", "More ways to get help"},

		// The 18th-birthday handover, for the former guardian and the adult.
		"notices.handover.guardian_heading": {"发生了什么", "What happened"},
		"notices.handover.guardian_what":    {"当事人已经年满 18 周岁。从 18 周岁生日的第二天起，这件事项只由本人办理，你作为监护人的查看和办理权限已经结束。你以前提交的材料都保留着；尚未提交或被退回补正的申请已经转交本人。", "The person has turned 18. From the day after the 18th birthday the matter is the person's own, and your access as guardian has ended. Everything you filed is kept; an application not yet sent, or returned for correction, has passed to the person."},
		"notices.handover.guardian_todo":    {"你可以做什么", "What you can do"},
		"notices.handover.guardian_todo_1":  {"请当事人用自己的账户登录本平台查看和办理；还没有账户的，可以自己注册。", "Ask the person to sign in with their own account to follow the matter; without an account, they can register."},
		"notices.handover.guardian_todo_2":  {"如果当事人希望你继续帮忙，可以由本人委托律师，或者由本人把需要的信息告诉你。", "If the person wants your help, the person can instruct a lawyer, or tell you what you need to know."},
		"notices.handover.guardian_todo_3":  {"有疑问的，可以联系办理机关，或者拨打 12348 公共法律服务热线。", "With questions, contact the organ, or call 12348, the public legal services line."},
		"notices.handover.adult_heading":    {"这件事项现在由你本人办理", "This matter is now yours"},
		"notices.handover.adult_what":       {"这件事项是你的监护人在你未满 18 周岁时替你办理的。你已经年满 18 周岁，今后只由你本人查看和办理，监护人已经看不到了。监护人提交的材料都保留着。", "Your guardian started this matter for you while you were under 18. You are now 18 or over, so from now on only you see and deal with it; your guardian no longer sees it. Everything your guardian filed is kept."},
		"notices.handover.adult_todo":       {"你可以在本页查看进展、给办理机关留言；如果申请被退回补正，由你本人修改后再提交。", "You can follow the progress and message the organ on this page; if the application is returned for correction, you correct and send it yourself."},

		// Contacts: the numbers and the portal operator.
		"notices.contact.title":          {"联系与求助", "Contacts and help"},
		"notices.contact.lead":           {"本平台不能代替机关作出决定。遇到问题时，可以找下面这些地方。", "This portal cannot decide for the organs. When something goes wrong, these are the places to turn to."},
		"notices.contact.relief_name":    {"向检察院提出救济申请", "Ask the procuratorate for relief"},
		"notices.contact.relief_desc":    {"救济是权利受到侵害时请求检察院纠正：封存信息被泄露、应当封存却没有封存，或者因此在上学、工作等方面受到不公平对待时，可以在本平台提出。", "Relief means asking the procuratorate to put right a wrong done to you: when sealed information was disclosed, a record was not sealed that should have been, or you were treated unfairly at school, at work or elsewhere because of it. You can ask on this portal."},
		"notices.contact.12309_name":     {"12309 检察服务热线和 12309 中国检察网", "12309: the procuratorate's service line and website"},
		"notices.contact.12309_desc":     {"检察院的服务窗口。可以反映机关不依法封存、泄露封存信息、超过期限不办理等问题，也可以查询检察院办理事项的进展。", "The procuratorate's service desk. You can report an organ that does not seal as the law says, a leak of sealed information, or a deadline missed, and ask how a matter at the procuratorate is going."},
		"notices.contact.12309_web":      {"访问 12309 中国检察网", "Visit the 12309 website"},
		"notices.contact.12348_name":     {"12348 公共法律服务热线", "12348: the public legal services line"},
		"notices.contact.12348_desc":     {"司法行政机关的法律咨询热线。可以免费咨询法律问题，问问自己能不能得到法律援助（由国家提供的免费律师帮助）。", "The legal advice line of the justice administration. Ask legal questions for free, and whether you can get legal aid (a lawyer's help paid by the state)."},
		"notices.contact.call":           {"拨打 %s", "Call %s"},
		"notices.contact.operator_title": {"本平台的运营方", "Who runs this portal"},
		"notices.contact.operator_note":  {"运营方只能解答本平台怎么使用的问题，不能决定你的案件。", "The operator can help with using this portal only; it cannot decide your case."},
		"notices.contact.operator_unset": {"本平台没有公布运营方的联系方式。关于你的案件，请联系办理案件的机关；关于本平台怎么使用，可以拨打 12309 询问。", "This portal has not published its operator's contact details. About your case, contact the organ handling it; about using this portal, call 12309."},
		"notices.contact.index":          {"12309、12348 和本平台运营方的联系方式。", "12309, 12348 and the contact of the portal's operator."},

		// Rights: when a sealed record can be unsealed (R18, R19).
		"notices.unseal.heading":  {"封存的记录什么时候会解除封存", "When a sealed record can be unsealed"},
		"notices.unseal.lead":     {"封存是永久的，不会因为时间过去而失效。依照《关于未成年人犯罪记录封存的实施办法》第十八条，只有下面几种情况会解除封存：", "Sealing is for good; it does not run out with time. Under article 18 of the Implementation Measures on the Sealing of Juvenile Criminal Records, only these grounds unseal a record:"},
		"notices.unseal.new":      {"未满 18 周岁时又犯了新的罪，新罪和被封存的罪合并处罚后，决定执行的刑罚超过 5 年有期徒刑；", "a new crime committed before 18, where the new crime and the sealed one together lead to a decided sentence of more than 5 years' imprisonment;"},
		"notices.unseal.earlier":  {"发现了未满 18 周岁时犯的、以前没有被发现的罪（漏罪），合并处罚后决定执行的刑罚超过 5 年有期徒刑；", "an earlier crime committed before 18 that was not discovered before, where the combined sentence decided is more than 5 years' imprisonment;"},
		"notices.unseal.retrial":  {"案件经过再审，改判 5 年以上有期徒刑。", "a retrial of the case that changes the sentence to 5 years' imprisonment or more."},
		"notices.unseal.exactly":  {"合并处罚或者改判后正好是 5 年的，不同的规定理解不一样，由检察院审查决定，不会自动解除封存。", "Where the combined or retrial sentence is exactly 5 years, the rules can be read two ways: the procuratorate reviews it, nothing is unsealed automatically."},
		"notices.unseal.adult":    {"成年以后犯罪、没有和被封存的罪合并处罚的，不会解除封存。但是，成年后又故意犯罪的，法院会在判决书里写明以前的犯罪记录；被调查时，也要如实说明。", "A crime committed as an adult that is not combined with the sealed one does not unseal the record. But if you commit an intentional crime as an adult, the court states the earlier record in its judgment, and you must tell the truth about it when investigated."},
		"notices.unseal.after":    {"解除封存时，机关会通知你。解除封存以前出具的无犯罪记录证明，仍然按出具那天的情况有效。", "If a record is unsealed, the organ tells you. A certificate of no criminal record issued before stays valid as it was on its date."},
		"notices.unseal.nothing":  {"除此以外，任何理由都不能解除封存：时间过去、换工作、参军、升学都不会。", "Nothing else unseals a record: not time passing, a new job, joining the army or going to a new school."},
		"notices.rights.wrong_12": {"拨打 12309 或 12348，或者查看更多联系方式", "Call 12309 or 12348, or see more ways to get help"},

		// Notifications name the organ; opening what they point to reads them.
		"notices.notification_from":        {"来自：%s", "From: %s"},
		"notices.notification_from_relief": {"负责监督的检察院", "The supervising procuratorate"},
		"notices.notification_from_portal": {"本平台", "This portal"},
		"notices.notification_open":        {"查看", "Open"},

		// The quick exit that also signs out.
		"notices.quick_exit_signed_in": {"点这个按钮会让你马上退出登录，并打开一个普通网站。", "This button signs you out at once and opens an ordinary website."},
		"notices.exit.title":           {"再见", "Goodbye"},
		"notices.exit.body":            {"正在打开其他网站……", "Opening another website…"},
		"notices.exit.link":            {"如果没有自动打开，请点这里。", "If nothing happens, follow this link."},

		// Who looked at my record: grouped by organ and day; "sealed" only once
		// the record is sealed.
		"notices.access.intro_open": {"机关和其他单位每一次查看你的案件记录，都会被记下来，列在这里。这份清单谁都不能修改。", "Every time an organ or another unit looks at the record of your case, it is written down and listed here. Nobody can change this list."},
		"notices.access.none_open":  {"还没有人查看过你的案件记录。", "Nobody has looked at the record of your case yet."},
		"notices.access.col_day":    {"日期", "Day"},
		"notices.access.times":      {"%d 次", "%d times"},
		"notices.access.once":       {"1 次", "once"},
		"notices.access.span":       {"%s 至 %s", "%s to %s"},
		"notices.access.grouped":    {"同一天同一个机关或单位的查看合并为一行。", "Looks by the same organ or unit on the same day are shown on one line."},

		// The glossary.
		"glossary.title":      {"用语说明", "Words we use"},
		"glossary.lead":       {"本平台每个意思只用一个词。下面是这些词的意思。", "This portal uses one word for each idea. Here is what the words mean."},
		"glossary.index":      {"受理编号、案号、救济等用语是什么意思。", "What reference number, case number, relief and other words mean."},
		"glossary.other":      {"另一种语言：%s", "In the other language: %s"},
		"glossary.t.ref":      {"受理编号", "reference number"},
		"glossary.d.ref":      {"本平台在你提交申请、救济申请或证明申请时给出的编号，例如 FC-2026-000042。联系机关或本平台时请说这个编号。", "The number this portal gives your application, relief request or certificate request when you send it, e.g. FC-2026-000042. Quote it when you contact an organ or the portal."},
		"glossary.t.caseno":   {"案号", "case number"},
		"glossary.d.caseno":   {"法院、检察院或公安机关在判决书、决定书上写的编号，例如（2024）京0105刑初123号。它和本平台的受理编号不是一回事。", "The number the court, procuratorate or police wrote on the judgment or decision, e.g. (2024) Jing 0105 Xing Chu No. 123. It is not the portal's reference number."},
		"glossary.t.seal":     {"封存", "sealing"},
		"glossary.d.seal":     {"犯罪时不满 18 周岁、被判处 5 年有期徒刑以下刑罚等情况下，记录要被封起来保存：不删除，但除法律规定的情况外，任何单位和个人都不能查看。", "When someone was under 18 at the time of the crime and the sentence was 5 years or less (among other cases), the record is locked away: not deleted, but nobody may see it except where the law allows."},
		"glossary.t.unseal":   {"解除封存", "unsealing"},
		"glossary.d.unseal":   {"在法律规定的少数情况下，封存的记录重新可以被查看。见“封存以后你的权利”。", "In a few cases set by law a sealed record can be seen again. See “Your rights after sealing”."},
		"glossary.t.relief":   {"救济", "relief"},
		"glossary.d.relief":   {"权利受到侵害时请求检察院纠正。例如封存信息被泄露、应当封存没有封存，或者因此受到不公平对待。", "Asking the procuratorate to put right a wrong done to you, for example when sealed information was disclosed, a record was not sealed, or you were treated unfairly because of it."},
		"glossary.t.cert":     {"无犯罪记录证明", "certificate of no criminal record"},
		"glossary.d.cert":     {"公安机关出具的证明。记录已经封存的，证明上写“无犯罪记录”。", "A certificate the police issue. Where the record is sealed, it says “no criminal record”."},
		"glossary.t.organ":    {"机关", "organ"},
		"glossary.d.organ":    {"依法办理案件的国家机关：法院、检察院、公安机关和司法行政机关。", "A state body that handles cases by law: the court, the procuratorate, the police and the justice administration."},
		"glossary.t.proc":     {"检察院", "procuratorate"},
		"glossary.d.proc":     {"人民检察院。它监督其他机关是否依法封存，也受理救济申请。", "The people's procuratorate. It checks that the other organs seal as the law says, and handles relief requests."},
		"glossary.t.guardian": {"监护人", "guardian"},
		"glossary.d.guardian": {"替未满 18 周岁的人办理事项的人，通常是父母。当事人满 18 周岁后，监护人的权限结束，由本人办理。", "The person who acts for someone under 18, usually a parent. When the person turns 18, the guardian's access ends and the person acts alone."},
		"glossary.t.aid":      {"法律援助", "legal aid"},
		"glossary.d.aid":      {"由国家提供的免费律师帮助。可以拨打 12348 询问。", "A lawyer's help paid by the state. Ask on 12348."},
		"glossary.t.unit":     {"查询单位", "querying unit"},
		"glossary.d.unit":     {"依照法律规定可以申请查询封存记录的单位。它必须写明理由、依据和目的，并签署保密承诺书。", "A body that the law allows to ask for a sealed record. It must state its reason, legal basis and purpose, and sign a confidentiality commitment."},

		// Articles of law citizens see instead of the portal's rule ids.
		"notices.law_basis": {"法律依据：%s", "Legal basis: %s"},
		"law.art.R1":        {"刑事诉讼法第二百八十六条（犯罪时不满十八周岁）", "Criminal Procedure Law art. 286 (under 18 at the time of the crime)"},
		"law.art.R2":        {"刑事诉讼法第二百八十六条（五年有期徒刑以下刑罚）；刑法第九十九条", "Criminal Procedure Law art. 286 (a sentence of 5 years or less); Criminal Law art. 99"},
		"law.art.R3":        {"刑事诉讼法第二百八十六条（缓刑看判处的刑期）", "Criminal Procedure Law art. 286 (for a suspended sentence, the term given)"},
		"law.art.R4":        {"刑法第六十九条（数罪并罚）", "Criminal Law art. 69 (several crimes combined)"},
		"law.art.R5":        {"《关于未成年人犯罪记录封存的实施办法》（跨越 18 周岁的行为）", "Implementation Measures on the Sealing of Juvenile Criminal Records (acts on both sides of 18)"},
		"law.art.R6":        {"刑事诉讼法第二百八十六条（成年后的行为）", "Criminal Procedure Law art. 286 (acts as an adult)"},
		"law.art.R7":        {"《关于未成年人犯罪记录封存的实施办法》（封存的范围）", "Implementation Measures on the Sealing of Juvenile Criminal Records (what is sealed)"},
		"law.art.R8":        {"《人民检察院刑事诉讼规则》（不起诉）", "Supreme People's Procuratorate Criminal Procedure Rules (non-prosecution)"},
		"law.art.R9":        {"《关于未成年人犯罪记录封存的实施办法》（不追究刑事责任）", "Implementation Measures on the Sealing of Juvenile Criminal Records (no criminal liability)"},
		"law.art.R10":       {"《关于未成年人犯罪记录封存的实施办法》（证据不足宣告无罪）", "Implementation Measures on the Sealing of Juvenile Criminal Records (acquittal for lack of evidence)"},
		"law.art.R11":       {"《关于未成年人犯罪记录封存的实施办法》（依职权封存）", "Implementation Measures on the Sealing of Juvenile Criminal Records (sealing by the organs' own duty)"},
		"law.art.R12":       {"《关于未成年人犯罪记录封存的实施办法》（封存机关和期限）", "Implementation Measures on the Sealing of Juvenile Criminal Records (who seals, and when)"},
		"law.art.R13":       {"《关于未成年人犯罪记录封存的实施办法》（告知权利义务）", "Implementation Measures on the Sealing of Juvenile Criminal Records (telling you your rights)"},
		"law.art.R14":       {"公安部《公安机关办理犯罪记录查询工作规定》", "Ministry of Public Security rules on criminal-record queries"},
		"law.art.R15":       {"刑事诉讼法第二百八十六条第二款；刑法第九十六条", "Criminal Procedure Law art. 286 para. 2; Criminal Law art. 96"},
		"law.art.R16":       {"《人民检察院刑事诉讼规则》（查询封存记录）", "Supreme People's Procuratorate Criminal Procedure Rules (queries of sealed records)"},
		"law.art.R17":       {"刑事诉讼法第二百八十六条第二款（保密）", "Criminal Procedure Law art. 286 para. 2 (confidentiality)"},
		"law.art.R18":       {"《关于未成年人犯罪记录封存的实施办法》第十八条", "Implementation Measures on the Sealing of Juvenile Criminal Records, art. 18"},
		"law.art.R19":       {"《关于未成年人犯罪记录封存的实施办法》第十八条；刑法第六十九条至第七十一条", "Implementation Measures on the Sealing of Juvenile Criminal Records, art. 18; Criminal Law arts. 69–71"},
		"law.art.R20":       {"《关于未成年人犯罪记录封存的实施办法》（与成年人共同犯罪）", "Implementation Measures on the Sealing of Juvenile Criminal Records (crimes together with adults)"},
		"law.art.R21":       {"《关于未成年人犯罪记录封存的实施办法》（含犯罪记录封存信息的案件）", "Implementation Measures on the Sealing of Juvenile Criminal Records (cases using sealed information)"},
		"law.art.R22":       {"未成年人保护法第一百零三条", "Law on the Protection of Minors art. 103"},
		"law.art.R23":       {"刑法第一百条第二款", "Criminal Law art. 100 para. 2"},
		"law.art.R24":       {"未成年人保护法第一百零五条", "Law on the Protection of Minors art. 105"},
		"law.art.R25":       {"《关于未成年人犯罪记录封存的实施办法》（责任追究）", "Implementation Measures on the Sealing of Juvenile Criminal Records (accountability)"},
		"law.art.R26":       {"《关于未成年人犯罪记录封存的实施办法》（以前办结的案件）", "Implementation Measures on the Sealing of Juvenile Criminal Records (cases concluded earlier)"},
		"law.art.R27":       {"《关于未成年人犯罪记录封存的实施办法》（主要犯罪行为）", "Implementation Measures on the Sealing of Juvenile Criminal Records (the main criminal conduct)"},
		"law.art.R28":       {"预防未成年人犯罪法第五十九条", "Law on Preventing Juvenile Delinquency art. 59"},
		"law.art.R29":       {"刑法第十七条、第三十八条、第四十二条、第四十五条、第六十九条、第七十二条", "Criminal Law arts. 17, 38, 42, 45, 69 and 72"},
		"law.art.R30":       {"最高人民法院关于适用刑事诉讼法的解释第一百四十六条", "Supreme People's Court Interpretation of the Criminal Procedure Law art. 146"},
		"law.art.R31":       {"刑法第六条", "Criminal Law art. 6"},
		"law.art.R32":       {"教师法第十四条等（故意犯罪）", "Teachers Law art. 14 and others (intentional crimes)"},
		"law.art.R33":       {"《关于未成年人犯罪记录封存的实施办法》（封存通知书）", "Implementation Measures on the Sealing of Juvenile Criminal Records (sealing notices)"},
	})
}
