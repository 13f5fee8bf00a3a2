package views

// Messages of the law's harder cases (issue 12 part A): several main acts and
// acquittals on both sides of 18 (R27), administrative penalties, specialised
// correctional education and deportation (R28), impossible inputs (R29), the
// court-found birth date (R30), intent (R32), combined adult crimes and
// retrials in unsealing (R18, R19), the calendar of a year not yet published
// and the test period (a reform option).
func init() {
	addMessages(map[string][2]string{
		// R29: impossible inputs.
		"eligibility.act_under_12":                           {"不满 12 周岁时的行为不会被判处刑罚（刑法第十七条）。请检查出生日期和行为日期，或者改选案件是怎样结束的。", "No one is punished for an act before the age of 12 (Criminal Law art. 17). Check the dates, or how the case ended."},
		"eligibility.intent_unknown":                         {"请选择故意或者过失。", "Choose intentional or negligent."},
		"eligibility.suspended_over_3y":                      {"只有不超过 3 年（36 个月）的有期徒刑才能缓刑（刑法第七十二条）。请检查刑期和“缓刑”选项。", "Only a prison term of 3 years (36 months) or less can be suspended (Criminal Law art. 72). Check the term and the “suspended” box."},
		"eligibility.term_below_min.public_surveillance":     {"管制最短 3 个月（刑法第三十八条）。", "Public surveillance is at least 3 months (Criminal Law art. 38)."},
		"eligibility.term_below_min.criminal_detention":      {"拘役最短 1 个月（刑法第四十二条）。", "Criminal detention is at least 1 month (Criminal Law art. 42)."},
		"eligibility.term_below_min.fixed_term":              {"有期徒刑最短 6 个月（刑法第四十五条）。", "A prison term is at least 6 months (Criminal Law art. 45)."},
		"eligibility.term_over_max.public_surveillance":      {"一个罪判处的管制最长 2 年（24 个月，刑法第三十八条）。", "Public surveillance for one crime is at most 2 years (24 months, Criminal Law art. 38)."},
		"eligibility.term_over_max.criminal_detention":       {"一个罪判处的拘役最长 6 个月（刑法第四十二条）。", "Criminal detention for one crime is at most 6 months (Criminal Law art. 42)."},
		"eligibility.term_over_max.fixed_term":               {"一个罪判处的有期徒刑最长 15 年（180 个月，刑法第四十五条）。", "A prison term for one crime is at most 15 years (180 months, Criminal Law art. 45)."},
		"eligibility.term_over_combined.public_surveillance": {"数罪并罚后管制最长 3 年（36 个月，刑法第六十九条）。", "Public surveillance for several crimes combined is at most 3 years (36 months, Criminal Law art. 69)."},
		"eligibility.term_over_combined.criminal_detention":  {"数罪并罚后拘役最长 1 年（12 个月，刑法第六十九条）。", "Criminal detention for several crimes combined is at most 1 year (12 months, Criminal Law art. 69)."},
		"eligibility.term_over_combined.fixed_term":          {"数罪并罚后有期徒刑最长 25 年（300 个月，刑法第六十九条）。", "A prison term for several crimes combined is at most 25 years (300 months, Criminal Law art. 69)."},
		"unsealing.combined_retrial":                         {"再审是对原案重新审判，不存在与其他罪合并处罚。请取消“合并处罚”。", "A retrial re-decides the sealed case itself, so nothing is combined. Untick “combined”."},

		// R27, R28: reasons.
		"eligibility.reason.deportation":            {"只判处驱逐出境（刑法第三十五条），行为发生时未满 18 周岁，记录应当封存。", "The only sentence was deportation (Criminal Law art. 35) and the act happened before 18, so the record must be sealed."},
		"eligibility.reason.administrative_penalty": {"未成年时受到的行政处罚，记录应当像犯罪记录一样封存（预防未成年人犯罪法第五十九条）。", "Records of an administrative penalty given to a young person are sealed like criminal records (Law on Preventing Juvenile Delinquency art. 59)."},
		"eligibility.reason.correctional_education": {"未成年时接受专门矫治教育的记录应当像犯罪记录一样封存（预防未成年人犯罪法第五十九条）。", "Records of specialised correctional education of a young person are sealed like criminal records (Law on Preventing Juvenile Delinquency art. 59)."},
		"eligibility.reason.acquitted_both_sides":   {"被判无罪的行为有的在 18 岁生日前（含生日当天），有的在之后。哪些记录应当封存，需要工作人员对照判决审查。", "The acts of the acquittal happened both up to and after the 18th birthday. Which records are sealed is for a person to decide from the judgment."},
		"eligibility.reason.main_acts_both_sides":   {"法院认定的主要犯罪行为有的在 18 岁生日前（含生日当天），有的在之后。这种情况需要工作人员审查决定。", "The court found main acts both up to and after the 18th birthday. A person will decide."},
		"eligibility.reason.no_main_term_over":      {"行为在 18 岁生日前后都有，而判处的刑罚超过 5 年（60 个月），无论主要行为在什么时候，都不能按这个制度封存。", "The acts happened both before and after the 18th birthday and the sentence is longer than 5 years (60 months), so the record cannot be sealed under these rules, whenever the main act was."},

		// R18, R19: unsealing reasons.
		"unsealing.reason.retrial_adult_act":      {"再审认定行为发生在满 18 周岁以后，说明这个记录本来就不应当按未成年人记录封存。需要由工作人员审查决定。", "The retrial found the act happened after the 18th birthday, so the record should never have been sealed as a young person's. A person will decide."},
		"unsealing.reason.adult_combined_over":    {"成年后犯的罪与被封存的判决合并处罚后超过 5 年。最高人民检察院的规则和封存实施办法对此规定不一致，需要由工作人员审查决定。", "The adult crime was combined with the sealed sentence to more than 5 years. The Supreme People's Procuratorate's rules and the Measures disagree here, so a person will decide."},
		"unsealing.reason.adult_combined_exactly": {"成年后犯的罪与被封存的判决合并处罚后正好 5 年。不同的规定对此理解不一样，需要由工作人员审查决定。", "The adult crime was combined with the sealed sentence to exactly 5 years. The rules can be read two ways here, so a person will decide."},
		"unsealing.reason.adult_combined_within":  {"成年后犯的罪虽然与被封存的判决合并处罚，但合并后不到 5 年，记录继续封存。", "The adult crime was combined with the sealed sentence, but to less than 5 years, so the record stays sealed."},

		// Labels of the new dispositions and penalty kind in each form.
		"check.disposition.administrative_penalty":                  {"受到行政处罚", "An administrative penalty"},
		"check.disposition.administrative_penalty.hint":             {"例如：公安机关作出的治安管理处罚。", "For example, a public-order penalty from the police."},
		"check.disposition.specialised_correctional_education":      {"接受专门矫治教育", "Specialised correctional education"},
		"check.disposition.specialised_correctional_education.hint": {"在专门学校接受的专门矫治教育（专门矫治教育）。", "Correctional education in a specialised school (专门矫治教育)."},
		"check.penalty.deportation":                                 {"只判了驱逐出境", "Only deportation (驱逐出境)"},
		"check.penalty.deportation.hint":                            {"对外国人单独判处驱逐出境，没有判其他刑罚。", "A foreign national was only ordered to leave China, with no other sentence."},
		"apply.disposition.administrative_penalty":                  {"受到行政处罚", "An administrative penalty"},
		"apply.disposition.specialised_correctional_education":      {"接受专门矫治教育", "Specialised correctional education"},
		"apply.penalty.deportation":                                 {"只判处驱逐出境", "Deportation only"},
		"staff.disposition.administrative_penalty":                  {"行政处罚", "Administrative penalty"},
		"staff.disposition.specialised_correctional_education":      {"专门矫治教育", "Specialised correctional education"},
		"staff.penalty.deportation":                                 {"单处驱逐出境", "Deportation only"},
	})
}

func init() {
	addMessages(map[string][2]string{
		// R30: the court-found birth date.
		"law.court_birth_date":          {"法院认定的出生日期", "Birth date found by the court"},
		"law.court_birth_date_hint":     {"只有法院认定的出生日期与身份证号码不同时才填写（最高人民法院刑事诉讼法解释第一百四十六条）。填写后按这个日期判断年龄。", "Only when the court found a birth date different from the identity number (SPC Interpretation art. 146). The rules then use this date."},
		"law.court_birth_date_prevails": {"与身份证号码不同；判断年龄时以法院认定的日期为准（R30）。", "Differs from the identity number; the court's date is used for age (R30)."},
		// R27, R32 on the ex officio form.
		"staff.main_acts_hint": {"勾选法院认定为主要犯罪行为的行为，可以勾选多个；判决没有认定的，都不勾选。", "Tick each act the court found to be main criminal conduct; there may be several. Tick none if the judgment does not say."},
		"law.act_intent_n_1":   {"行为 1：故意还是过失", "Act 1: intentional or negligent"},
		"law.act_intent_n_2":   {"行为 2：故意还是过失", "Act 2: intentional or negligent"},
		"law.act_intent_n_3":   {"行为 3：故意还是过失", "Act 3: intentional or negligent"},
		"law.intent.none":      {"判决未写明", "Not stated"},
		// The calendar.
		"law.due_awaits_calendar": {"待国务院公布该年度节假日安排后确定", "To be set when the official calendar is published"},
		// Inside a sentence such as "must answer by %s".
		"law.due_awaits_calendar_inline": {"待国务院公布该年度节假日安排后确定的日期", "a date to be set when the official calendar is published"},
		"law.due_provisional":            {"按非官方来源导入的节假日安排计算，管理员尚未对照国务院通知核实，仅供参考。", "Counted on a holiday schedule from a non-official source that an administrator has not yet checked against the State Council notice: provisional."},
	})
}

func init() {
	addMessages(map[string][2]string{
		// R18, R19 on the unsealing form.
		"law.unseal_act_date_hint":  {"例如 2024-03-01。再审的，填写再审认定的行为日期；再审没有改变行为日期的可以不填。", "For example 2024-03-01. For a retrial, the date of the act as the retrial found it; leave it empty if the retrial did not change it."},
		"law.unseal_combined":       {"成年后犯的罪已与被封存的判决合并处罚", "The adult crime was combined with the sealed sentence"},
		"law.unseal_combined_hint":  {"例如撤销缓刑后数罪并罚（刑法第六十九条至第七十一条、第七十七条）。勾选后请在下面填写合并后决定执行的刑期。", "For example, probation revoked and the sentences combined (Criminal Law arts. 69–71, 77). Then enter the combined term below."},
		"law.unseal_combined_short": {"与封存判决合并处罚", "Combined with the sealed sentence"},
	})
}

func init() {
	addMessages(map[string][2]string{
		"calendar.notice_required": {"请写明核对所依据的国务院办公厅通知（不超过 200 个字）。", "Name the State Council notice the year was checked against (at most 200 characters)."},
	})
}

func init() {
	addMessages(map[string][2]string{
		"law.due_provisional_short": {"（按未经核实的节假日安排计算）", "(on a calendar not yet confirmed)"},
	})
}

func init() {
	addMessages(map[string][2]string{
		// The test period, a reform option (portal/testperiod.go).
		"law.test_period":         {"考验期", "Test period"},
		"law.test_period_running": {"考验期 %s 个月，封存自 %s 起生效。", "A test period of %s months runs; sealing takes effect on %s."},
		"law.test_period_over":    {"考验期已满，封存自 %s 起生效。", "The test period is over; sealing took effect on %s."},
		"law.test_period_reform":  {"考验期是改革建议，不是现行法律；现行法律规定封存立即生效、永久有效。", "A test period is a reform option, not current law; under current law sealing takes effect at once and for good."},
	})
}

func init() {
	addMessages(map[string][2]string{
		"law.court_birth_after_act":     {"法院认定的出生日期不能晚于案件中的行为日期。", "The birth date found by the court cannot be after an act of the case."},
		"law.court_birth_title":         {"记录法院认定的出生日期", "Record the birth date found by the court"},
		"law.court_birth_submit":        {"保存出生日期", "Save the birth date"},
		"law.court_birth_clear_hint":    {"清空后保存，即删除法院认定的出生日期，改按身份证号码计算年龄。", "Save it empty to remove it; age is then taken from the identity number."},
		"staff.notice.court_birth_date": {"已保存法院认定的出生日期，规则计算的结果已按新日期更新。", "The birth date found by the court is saved; what the rules compute now uses it."},
	})
}

func init() {
	addMessages(map[string][2]string{
		"law.apply_main":      {"法院认定哪些行为是主要犯罪行为？", "Which acts did the court find to be the main criminal conduct?"},
		"law.apply_main_hint": {"只有行为发生在 18 岁生日前后两边时才需要。请按判决书勾选，可以勾选多个；判决书没有写明的，都不勾选。不要自己推断。", "This matters only when acts happened both before and after the 18th birthday. Tick each act the judgment names as main; there may be several. Tick none if it does not say. Do not guess."},
	})
}
