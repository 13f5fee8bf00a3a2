package views

// Messages of the eligibility check (R1–R10), unsealing (R18, R19) and the
// working-day calendar: the field errors and the reasons behind each answer.
// They are read by young people and their families, so they use short
// sentences and everyday words, and never say "has a criminal record" (R14).
func init() {
	addMessages(map[string][2]string{
		// Field errors of the eligibility check.
		"eligibility.birth_date_required":  {"请填写出生日期。", "Enter the date of birth."},
		"eligibility.birth_date_future":    {"出生日期不能晚于今天。", "The date of birth cannot be in the future."},
		"eligibility.acts_required":        {"请至少填写一个行为发生的日期。", "Enter the date of at least one act the case is about."},
		"eligibility.acts_too_many":        {"最多只能填写 50 个行为日期。", "You can enter at most 50 dates."},
		"eligibility.act_date_required":    {"请填写这个行为发生的日期。", "Enter the date this act happened."},
		"eligibility.act_future":           {"行为发生的日期不能晚于今天。", "The date of an act cannot be in the future."},
		"eligibility.act_before_birth":     {"行为发生的日期不能早于出生日期。", "The date of an act cannot be before the date of birth."},
		"eligibility.main_multiple":        {"法院只会认定一个主要犯罪行为，请只勾选一个。", "The court finds only one main act. Tick just one."},
		"eligibility.disposition_required": {"请选择案件是怎样结束的。", "Choose how the case ended."},
		"eligibility.disposition_unknown":  {"请从列表中选择案件是怎样结束的。", "Choose how the case ended from the list."},
		"eligibility.penalty_required":     {"案件以判刑结束，请填写判的是什么刑罚。", "The case ended with a sentence. Tell us what the sentence was."},
		"eligibility.penalty_unexpected":   {"只有判了刑才需要填写刑罚。请删除刑罚，或者改选案件是怎样结束的。", "Only fill in a sentence if the court gave one. Remove the sentence, or change how the case ended."},
		"eligibility.penalty_kind_unknown": {"请从列表中选择刑罚的种类。", "Choose the kind of sentence from the list."},
		"eligibility.suspended_kind":       {"只有有期徒刑和拘役可以缓刑。请检查刑罚种类和“缓刑”选项。", "Only a prison term or criminal detention can be suspended. Check the kind of sentence and the “suspended” box."},
		"eligibility.months_range":         {"请填写 0 到 300 之间的月数；有期徒刑的刑期不能是 0。", "Enter a number of months from 0 to 300. A prison term cannot be zero."},
		"eligibility.days_range":           {"请填写 0 到 30 之间的天数。", "Enter a number of days from 0 to 30."},

		// Field errors of an unsealing event.
		"unsealing.kind_unknown":         {"请从列表中选择发生了什么情况。", "Choose what happened from the list."},
		"unsealing.act_date_required":    {"请填写这次犯罪发生的日期。", "Enter the date of this crime."},
		"unsealing.act_future":           {"犯罪发生的日期不能晚于今天。", "The date of the crime cannot be in the future."},
		"unsealing.act_before_birth":     {"犯罪发生的日期不能早于出生日期。", "The date of the crime cannot be before the date of birth."},
		"unsealing.adult_crime_under_18": {"在这一天还没有满 18 周岁（18 岁生日当天也算未满）。请改选“新的犯罪”或“以前没有发现的犯罪”。", "On this date the person was still under 18 (the 18th birthday itself counts as under 18). Choose “new crime” or “earlier crime found later” instead."},
		"unsealing.months_range":         {"请填写 0 到 300 之间的月数。", "Enter a number of months from 0 to 300."},
		"unsealing.days_range":           {"请填写 0 到 30 之间的天数。", "Enter a number of days from 0 to 30."},

		// Reasons of the eligibility check.
		"eligibility.reason.facts_incomplete":      {"填写的信息不完整，系统无法自动判断，需要由工作人员审查。", "Some facts are missing, so the portal cannot decide. A person will look at it."},
		"eligibility.reason.adult_acts":            {"所有行为都发生在满 18 周岁以后，不适用未成年人犯罪记录封存。", "Every act happened after the 18th birthday, so the rules for sealing the records of young people do not apply."},
		"eligibility.reason.pending":               {"案件还没有结束。判决或决定生效后，办案机关必须依法封存，到时可以再查一次。", "The case has not ended yet. Once the judgment or decision takes effect, the authorities must seal the record. Check again then."},
		"eligibility.reason.main_act_unknown":      {"有的行为在 18 岁生日前（含生日当天），有的在之后。要看法院认定的主要犯罪行为发生在什么时候，这需要工作人员对照判决来审查。", "Some acts happened up to the 18th birthday and some after it. What counts is when the main act found by the court happened, so a person will check the judgment."},
		"eligibility.reason.main_act_adult":        {"法院认定的主要犯罪行为发生在满 18 周岁以后，所以整个案件不能按未成年人犯罪记录封存。", "The court found that the main act happened after the 18th birthday, so the case cannot be sealed as a young person's record."},
		"eligibility.reason.exempted":              {"法院认定有罪但免予刑事处罚，行为发生时未满 18 周岁，记录应当封存。", "The court found guilt but gave no punishment, and the act happened before 18, so the record must be sealed."},
		"eligibility.reason.not_prosecuted":        {"检察院决定不起诉，行为发生时未满 18 周岁，相关记录应当封存。", "The prosecutors decided not to take the case to court, and the act happened before 18, so the records must be sealed."},
		"eligibility.reason.conditional_completed": {"附条件不起诉的考验期已经顺利结束，相关记录应当封存。", "The test period of the conditional decision not to prosecute has ended, so the records must be sealed."},
		"eligibility.reason.acquitted":             {"法院因为事实不清、证据不足判决无罪，相关记录应当封存。", "The court found not guilty because the facts were unclear or the evidence was not enough, so the records must be sealed."},
		"eligibility.reason.no_liability":          {"依法不追究刑事责任，相关记录应当封存。", "By law there is no criminal liability, so the records must be sealed."},
		"eligibility.reason.withdrawn":             {"案件已经撤销，相关记录应当封存。", "The case was withdrawn, so the records must be sealed."},
		"eligibility.reason.life":                  {"判处无期徒刑的记录不能按这个制度封存。", "A life sentence cannot be sealed under these rules."},
		"eligibility.reason.term_over":             {"判处的有期徒刑超过 5 年（60 个月），不能按这个制度封存。", "The prison term is longer than 5 years (60 months), so the record cannot be sealed under these rules."},
		"eligibility.reason.term_within":           {"行为发生时未满 18 周岁，判处的有期徒刑不超过 5 年（正好 5 年也算；缓刑看判的刑期），记录应当封存。", "The act happened before 18 and the prison term is 5 years or less (exactly 5 years counts; for a suspended sentence the term given counts), so the record must be sealed."},
		"eligibility.reason.detention":             {"判处拘役，行为发生时未满 18 周岁，记录应当封存。", "The sentence was criminal detention and the act happened before 18, so the record must be sealed."},
		"eligibility.reason.surveillance":          {"判处管制，行为发生时未满 18 周岁，记录应当封存。", "The sentence was public surveillance (supervised in the community) and the act happened before 18, so the record must be sealed."},
		"eligibility.reason.fine_only":             {"只判处罚金，行为发生时未满 18 周岁，记录应当封存。", "The only sentence was a fine and the act happened before 18, so the record must be sealed."},
		"eligibility.reason.political_rights":      {"只判处剥夺政治权利，行为发生时未满 18 周岁，记录应当封存。", "The only sentence was the loss of political rights and the act happened before 18, so the record must be sealed."},

		// Reasons of an unsealing decision.
		"unsealing.reason.facts_incomplete": {"填写的信息不完整，系统无法自动判断，需要由工作人员审查。", "Some facts are missing, so the portal cannot decide. A person will look at it."},
		"unsealing.reason.adult_crime":      {"成年以后犯的罪不会解除封存。办理这个案件的司法机关可以依法查询被封存的记录，被调查时本人也应当如实说明。", "A crime committed as an adult does not unseal the record. The authorities handling that case may look at the sealed record, and the person must tell them about it when questioned."},
		"unsealing.reason.crime_after_18":   {"这次犯罪发生在满 18 周岁以后，按成年人犯罪处理，不会解除封存。", "This crime happened after the 18th birthday, so it counts as an adult crime and does not unseal the record."},
		"unsealing.reason.over_limit":       {"合并后（或再审改判后）的刑期超过 5 年（60 个月），依法解除封存，从这一情况出现的那天起生效。", "The combined term (or the term after a retrial) is more than 5 years (60 months), so by law the record is unsealed from the day this happened."},
		"unsealing.reason.exactly_limit":    {"刑期正好是 5 年（60 个月）。不同的规定对这种情况理解不一样，需要由工作人员审查决定。", "The term is exactly 5 years (60 months). The rules can be read two ways here, so a person will decide."},
		"unsealing.reason.within_limit":     {"刑期少于 5 年，记录继续封存。只有法律规定的情况才会解除封存。", "The term is less than 5 years, so the record stays sealed. Only the reasons set by law can unseal it."},

		// Working-day calendar.
		"calendar.year_missing":        {"系统还没有这一年的法定节假日安排，暂时无法计算期限。请联系管理员导入。", "The portal does not yet have the official holiday schedule for this year, so it cannot work out the deadline. Ask an administrator to load it."},
		"calendar.year_invalid":        {"年份不正确。", "The year is not valid."},
		"calendar.year_empty":          {"这一年的安排里没有任何放假日，请检查文件。", "The schedule for this year has no days off. Check the file."},
		"calendar.source_missing":      {"请写明这一年的安排来自哪份官方通知。", "Say which official notice this year's schedule comes from."},
		"calendar.data_invalid":        {"节假日文件的格式不正确。", "The holiday file is not in the right format."},
		"calendar.date_outside_year":   {"有日期不在这一年里。", "A date is not in this year."},
		"calendar.date_duplicate":      {"有日期重复出现。", "A date is listed twice."},
		"calendar.date_off_and_worked": {"同一天不能既放假又上班。", "A day cannot be both a day off and a working day."},
		"calendar.worked_not_weekend":  {"调休上班的日子只能是周六或周日。", "A swapped working day must be a Saturday or a Sunday."},
		"calendar.days_negative":       {"天数不能是负数。", "The number of days cannot be negative."},
	})
}
