package views

// Messages of the public eligibility check (/check) and of the JSON API's
// errors. The reasons and the domain's field errors are in
// messages_eligibility.go. The check is read by young people and their
// families: short sentences, everyday words, and the legal term in brackets
// where it helps to find it in a judgment. Nothing here may say "has a
// criminal record" (R14).
func init() {
	addMessages(map[string][2]string{
		// Start page.
		"check.start.title":         {"查一查：记录是否应当封存", "Check if a record must be sealed"},
		"check.start.heading":       {"查一查：记录是否应当封存", "Check if a record must be sealed"},
		"check.start.lead":          {"回答几个关于案件的问题，大约需要 3 分钟。你会知道这条记录是否应当封存，以及下一步怎么做。", "Answer a few questions about the case. It takes about 3 minutes. You will find out if the record must be sealed and what to do next."},
		"check.start.need":          {"请准备好判决书或者决定书，你需要知道：", "Have the judgment or decision with you. You will need to know:"},
		"check.start.need_birth":    {"当事人的出生日期；", "the date of birth of the person the record is about"},
		"check.start.need_acts":     {"案件涉及的行为是哪一天发生的；", "the date of each act the case is about"},
		"check.start.need_outcome":  {"案件是怎样结束的（判刑、不起诉等）；", "how the case ended (a sentence, a decision not to prosecute, and so on)"},
		"check.start.need_sentence": {"如果判了刑，判的是什么刑罚、刑期多长。", "if there was a sentence, what it was and how long"},
		"check.start.private":       {"不需要注册，也不需要填写姓名或身份证号码。你的回答加密保存 1 小时，方便你返回修改，之后自动删除。", "You do not need an account, your name or your ID number. Your answers are kept, encrypted, for 1 hour so that you can go back and change them, then deleted."},
		"check.start.guidance":      {"结果只是参考，不是法律决定。", "The result is guidance, not a legal decision."},
		"check.start.button":        {"开始", "Start now"},

		// Buttons shared by the questions.
		"check.back":     {"返回上一步", "Back"},
		"check.continue": {"继续", "Continue"},
		"check.change":   {"修改", "Change"},

		// Dates.
		"check.date.year":  {"年", "Year"},
		"check.date.month": {"月", "Month"},
		"check.date.day":   {"日", "Day"},
		"check.date.hint":  {"例如：2023 年 6 月 10 日，就填 2023、6、10。", "For example, for 10 June 2023 enter 2023, 6 and 10."},

		// Date of birth.
		"check.birth.heading": {"当事人是哪一天出生的？", "What is the date of birth of the person the record is about?"},
		"check.birth.hint":    {"按身份证上的日期填写。例如：2005、6、10。", "As on their identity card. For example, 2005, 6 and 10."},

		// Acts.
		"check.acts.heading":  {"案件涉及的行为是哪一天发生的？", "When did the acts in the case happen?"},
		"check.acts.intro":    {"看判决书或决定书里写的日期。如果案件涉及不止一个行为，请点“再添加一个日期”，把每个日期都填上。", "Look for the dates in the judgment or decision. If the case is about more than one act, choose “Add another date” and enter each one."},
		"check.act_n":         {"第 %d 个行为", "Act %d"},
		"check.act_n_date":    {"第 %d 个行为：%s", "Act %d: %s"},
		"check.acts.add":      {"再添加一个日期", "Add another date"},
		"check.acts.remove":   {"删除最后一个日期", "Remove the last date"},
		"check.acts.add_hint": {"空着的日期会被忽略。", "Dates left empty are ignored."},
		"check.acts.max":      {"这里最多填 5 个日期。如果行为更多，请填最早的、最晚的和法院认定的主要行为的日期。", "You can enter up to 5 dates here. If there were more acts, enter the earliest, the latest and the main one found by the court."},

		// Main act.
		"check.main.heading":      {"法院认定哪一个是主要犯罪行为？", "Which act did the court find to be the main act?"},
		"check.main.hint":         {"判决书里会写明“主要犯罪行为”。当有的行为在 18 岁生日前、有的在生日后时，要看主要行为是什么时候发生的。", "The judgment says which was the main criminal act. When some acts happened before the 18th birthday and some after it, what counts is when the main act happened."},
		"check.main.unknown":      {"判决书没有写明、写了不止一个，或者我不确定", "The judgment does not say, names more than one, or I am not sure"},
		"check.main.unknown_hint": {"这种情况需要工作人员对照判决书来判断。", "A person will then need to check the judgment."},

		// How the case ended.
		"check.outcome.heading":                                        {"案件是怎样结束的？", "How did the case end?"},
		"check.outcome.hint":                                           {"选择和判决书或决定书最接近的一项。", "Choose the answer closest to the judgment or decision."},
		"check.disposition.sentenced":                                  {"法院判决有罪，并判了刑罚", "The court found them guilty and gave a sentence"},
		"check.disposition.sentenced.hint":                             {"包括判处缓刑、罚金等。", "Including a suspended sentence or a fine."},
		"check.disposition.exempted":                                   {"法院判决有罪，但免予刑事处罚", "The court found them guilty but gave no punishment"},
		"check.disposition.exempted.hint":                              {"判决书里写着“免予刑事处罚”。", "The judgment says “exempted from criminal punishment” (免予刑事处罚)."},
		"check.disposition.not_prosecuted":                             {"检察院决定不起诉", "The prosecutors decided not to take the case to court"},
		"check.disposition.not_prosecuted.hint":                        {"检察院作出了“不起诉决定书”。", "The procuratorate issued a decision not to prosecute (不起诉决定书)."},
		"check.disposition.conditional_non_prosecution_completed":      {"附条件不起诉，考验期已经结束", "Conditional decision not to prosecute, and the test period has ended"},
		"check.disposition.conditional_non_prosecution_completed.hint": {"如果考验期还没有结束，请选“案件还没有结束”。", "If the test period has not ended yet, choose “The case has not ended yet”."},
		"check.disposition.acquitted_insufficient_evidence":            {"法院判决无罪，因为事实不清、证据不足", "The court found them not guilty because the facts were unclear or the evidence was not enough"},
		"check.disposition.acquitted_insufficient_evidence.hint":       {"判决书里写着“证据不足，指控的犯罪不能成立”。", "The judgment says the evidence was not enough to prove the crime."},
		"check.disposition.no_criminal_liability":                      {"依法不追究刑事责任", "By law they were not held criminally responsible"},
		"check.disposition.no_criminal_liability.hint":                 {"例如：当时年龄太小，还不用承担刑事责任。", "For example, they were too young to be held responsible."},
		"check.disposition.case_withdrawn":                             {"案件被撤销", "The case was withdrawn"},
		"check.disposition.case_withdrawn.hint":                        {"公安机关或检察院撤销了案件。", "The police or the prosecutors closed the case (撤销案件)."},
		"check.disposition.pending":                                    {"案件还没有结束", "The case has not ended yet"},
		"check.disposition.pending.hint":                               {"还在侦查、审查起诉、审判中，或者附条件不起诉的考验期还没结束。", "It is still being investigated, considered by the prosecutors or tried, or a conditional test period is still running."},

		// Sentence.
		"check.penalty.heading":                              {"法院判的是什么刑罚？", "What sentence did the court give?"},
		"check.penalty.hint":                                 {"如果犯了几个罪，选择法院合并后最终决定执行的刑罚。", "If there were several crimes, choose the final sentence the court decided after combining them."},
		"check.penalty.fixed_term":                           {"有期徒刑", "A prison term (fixed-term imprisonment, 有期徒刑)"},
		"check.penalty.fixed_term.hint":                      {"包括判了缓刑的有期徒刑。", "Including a suspended prison term."},
		"check.penalty.criminal_detention":                   {"拘役", "Criminal detention (拘役)"},
		"check.penalty.criminal_detention.hint":              {"1 到 6 个月，在看守所执行，可以缓刑。", "From 1 to 6 months in a local detention centre. It can be suspended."},
		"check.penalty.public_surveillance":                  {"管制", "Public surveillance (管制)"},
		"check.penalty.public_surveillance.hint":             {"不关押，在社区接受监督。", "Not locked up, but supervised in the community."},
		"check.penalty.fine_only":                            {"只判了罚金", "Only a fine (单处罚金)"},
		"check.penalty.fine_only.hint":                       {"只需要交钱，没有判其他刑罚。", "Only money to pay, no other sentence."},
		"check.penalty.deprivation_of_political_rights":      {"只判了剥夺政治权利", "Only the loss of political rights (单处剥夺政治权利)"},
		"check.penalty.deprivation_of_political_rights.hint": {"例如：一段时间内不能选举和被选举。", "For example, not being allowed to vote or stand for election for a time."},
		"check.penalty.life":                                 {"无期徒刑", "Life imprisonment (无期徒刑)"},
		"check.penalty.life.hint":                            {"包括后来减刑的无期徒刑。", "Including a life sentence that was later reduced."},

		// Term.
		"check.term.heading":        {"有期徒刑判了多长时间？", "How long was the prison term?"},
		"check.term.intro":          {"按判决书里最终决定执行的刑期填写，用月和天表示。1 年等于 12 个月，5 年等于 60 个月。", "Enter the final term in the judgment, in months and days. 1 year is 12 months, and 5 years is 60 months."},
		"check.term.months":         {"月数", "Months"},
		"check.term.months_hint":    {"例如：三年六个月，填 42。", "For example, for 3 years and 6 months enter 42."},
		"check.term.days":           {"天数", "Days"},
		"check.term.days_hint":      {"没有零头就填 0 或者空着。", "Enter 0 or leave it empty if there are no extra days."},
		"check.term.suspended":      {"判了缓刑", "The sentence was suspended (缓刑)"},
		"check.term.suspended_hint": {"判了缓刑时，上面填判处的刑期，不是缓刑考验期。", "If it was suspended, enter the prison term given above, not the probation period."},

		// Errors of the questions (the domain's own are in messages_eligibility.go).
		"check.date_incomplete": {"请把年、月、日都填上。", "Enter the year, the month and the day."},
		"check.date_invalid":    {"请填写真实存在的日期，年份用 4 位数字，例如 2005、6、10。", "Enter a real date, with a 4-digit year. For example, 2005, 6 and 10."},
		"check.number_invalid":  {"请填写整数，例如 36。", "Enter a whole number, like 36."},
		"check.months_required": {"请填写刑期的月数。", "Enter the number of months of the prison term."},
		"check.main_required":   {"请选择主要犯罪行为，如果不确定就选“我不确定”。", "Choose the main act. If you are not sure, choose “I am not sure”."},

		// Help.
		"check.help.heading":       {"在哪里可以得到帮助", "Where to get help"},
		"check.help.legal_aid":     {"免费法律咨询，请拨打法律援助热线：", "For free legal advice, call the legal aid hotline:"},
		"check.help.procuratorate": {"如果记录应当封存却没有封存，或者被泄露、让你受到不公平对待，检察院可以监督纠正。请拨打检察服务热线：", "If a record that should be sealed was not, or was given out and you were treated unfairly, the procuratorate can make the authorities put it right. Call its service line:"},

		// Result.
		"check.result.title":        {"结果", "Your result"},
		"check.result.heading":      {"结果", "Your result"},
		"check.result.seal":         {"应当封存", "The record must be sealed"},
		"check.result.not_eligible": {"不符合这部法律规定的封存条件", "Not eligible under this law"},
		"check.result.review":       {"需要法律专业人员审查", "Needs a legal review"},
		"check.result.not_yet":      {"现在还不能判断：案件还没有结束", "Not yet: the case has not ended"},
		"check.result.guidance":     {"这个结果只是参考，不是法律决定。你的回答在 1 小时后自动删除。", "This result is guidance, not a legal decision. Your answers are deleted after 1 hour."},
		"check.restart":             {"重新开始", "Start again"},

		"check.rules.heading": {"依据的规则", "Rules applied"},
		"check.rules.hint":    {"规则编号是本平台对法律规定的编号，工作人员和律师可以据此查找依据。", "The numbers are this portal's names for the rules of law, so that staff and lawyers can look them up."},
		"check.rule.R1":       {"行为发生时的年龄（18 岁生日当天也算未满 18 周岁）", "Age on the day of the act (the 18th birthday itself still counts as under 18)"},
		"check.rule.R2":       {"刑罚：5 年以下有期徒刑、拘役、管制、单处罚金、单处剥夺政治权利、免予刑事处罚可以封存", "The sentence: a prison term of 5 years or less, detention, surveillance, only a fine, only the loss of political rights, or no punishment can be sealed"},
		"check.rule.R3":       {"缓刑看判处的刑期，不看考验期", "For a suspended sentence, the term given counts, not the probation"},
		"check.rule.R4":       {"几个罪合并处罚时，看最终决定执行的刑期", "When several crimes are combined, the final term counts"},
		"check.rule.R5":       {"行为跨越 18 岁生日时，看法院认定的主要犯罪行为", "When acts fall on both sides of the 18th birthday, the main act found by the court counts"},
		"check.rule.R6":       {"所有行为都在成年以后", "Every act was after the 18th birthday"},
		"check.rule.R8":       {"不起诉的记录应当封存", "The records of a decision not to prosecute are sealed"},
		"check.rule.R9":       {"不追究刑事责任、撤销案件的记录应当封存", "The records are sealed when there is no criminal liability or the case was withdrawn"},
		"check.rule.R10":      {"因证据不足判决无罪的记录应当封存", "The records are sealed after a not-guilty verdict for lack of evidence"},
		"check.rule.R12":      {"案件结束后，办案机关依法封存", "The authorities seal the records once the case has ended"},
		"check.rule.R18":      {"只有法律规定的情况才会解除封存", "Only the grounds set by law unseal a record"},
		"check.rule.R19":      {"成年以后犯罪不会解除封存", "A crime as an adult does not unseal the record"},

		"check.next.heading":      {"下一步怎么做", "What to do next"},
		"check.next.seal_duty":    {"封存是办案机关的法定职责：即使你不申请，他们也必须封存。", "Sealing is the authorities' duty by law: they must do it even if you never ask."},
		"check.next.seal_apply":   {"如果你不确定是否已经封存，或者有人看到了这条记录，可以在这里申请，我们会交给有关机关办理并告诉你进展。", "If you are not sure it has been done, or someone has seen the record, you can apply here. We will send it to the right authority and keep you updated."},
		"check.next.no_declare":   {"记录被封存后，你在升学、参军、找工作时不需要主动说明。", "Once the record is sealed, you do not have to tell a school, the army or an employer about it."},
		"check.next.review":       {"这个问题要由法律专业人员看过判决书或决定书才能回答。你可以在这里申请，由工作人员审查；也可以先免费咨询。", "A legal professional needs to read the judgment or decision to answer this. You can apply here and staff will review it, or get free advice first."},
		"check.next.not_yet":      {"案件结束后再来查一次。到时如果符合条件，办案机关必须封存。有疑问可以问你的律师，或者免费咨询。", "Check again when the case has ended. If the rules are met then, the authorities must seal the record. Ask your lawyer, or get free advice."},
		"check.next.not_eligible": {"根据你的回答，这条记录不能按未成年人犯罪记录封存制度封存。如果哪个回答不对，可以在下面修改；也可以免费咨询。", "From your answers, the rules for sealing young people's records do not apply. If an answer is wrong, change it below, or get free advice."},
		"check.next.apply":        {"开始申请", "Start an application"},
		"check.next.register":     {"注册账户后申请", "Create an account to apply"},
		"check.next.login":        {"已有账户，登录后申请", "I have an account: sign in to apply"},

		"check.answers.heading":    {"核对你的回答", "Check your answers"},
		"check.answers.birth":      {"出生日期", "Date of birth"},
		"check.answers.acts":       {"行为发生的日期", "Dates of the acts"},
		"check.answers.main":       {"主要犯罪行为", "Main act"},
		"check.answers.outcome":    {"案件怎样结束", "How the case ended"},
		"check.answers.penalty":    {"刑罚", "Sentence"},
		"check.answers.term":       {"刑期", "Prison term"},
		"check.answers.main_mark":  {"（主要行为）", "(main act)"},
		"check.answers.term_value": {"%d 个月 %d 天", "%d months and %d days"},
		"check.answers.suspended":  {"，缓刑", ", suspended"},

		// Errors of the JSON API (/api/v1/eligibility, /api/v1/unsealing-check).
		"check.api.invalid":        {"请求中有错误，请看每一项的说明。", "The request has problems; see each field."},
		"check.api.malformed":      {"请求不是正确的 JSON。", "The request is not valid JSON."},
		"check.api.too_deep":       {"JSON 嵌套的层数太多。", "The JSON is nested too deeply."},
		"check.api.type_object":    {"这里应当是一个对象 {…}。", "This must be an object {…}."},
		"check.api.type_list":      {"这里应当是一个列表 […]。", "This must be a list […]."},
		"check.api.type_string":    {"这里应当是文字（用引号括起来）。", "This must be a string."},
		"check.api.type_integer":   {"这里应当是整数。", "This must be a whole number."},
		"check.api.type_bool":      {"这里应当是 true 或 false。", "This must be true or false."},
		"check.api.field_unknown":  {"不认识这一项，请删除。", "This field is not known; remove it."},
		"check.api.required":       {"必须填写这一项。", "This field is required."},
		"check.api.date_invalid":   {"日期应当是真实存在的日期，格式为 YYYY-MM-DD，例如 2005-06-10。", "The date must be a real date written YYYY-MM-DD, for example 2005-06-10."},
		"check.api.content_type":   {"请求的 Content-Type 必须是 application/json。", "The request's Content-Type must be application/json."},
		"check.api.too_large":      {"请求太大，最多 64 KB。", "The request is too large; the limit is 64 KB."},
		"check.api.rate_limited":   {"请求太频繁，请稍后再试。", "Too many requests; try again shortly."},
		"check.api.event_required": {"请描述发生了什么：情况的种类、日期和刑期。", "Describe what happened: the kind of event, its date and the term."},
	})
}
