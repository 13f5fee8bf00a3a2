package views

// Messages of the eligibility check's pages at their own addresses, the
// prison term in years and months, the legal basis of the result (articles
// of law, never the portal's rule ids), and "register and apply".
func init() {
	addMessages(map[string][2]string{
		// The prison term in years, months and days.
		"checkflow.term.intro":        {"按判决书里最终决定执行的刑期填写。例如“有期徒刑三年六个月”，就填 3 年 6 个月。", "Enter the final term in the judgment. For example, for 3 years and 6 months enter 3 years and 6 months."},
		"checkflow.term.years":        {"年", "Years"},
		"checkflow.term.years_hint":   {"不满 1 年就填 0 或者空着。", "Enter 0 or leave it empty if it was less than a year."},
		"checkflow.term.months":       {"个月", "Months"},
		"checkflow.term.months_hint":  {"没有零头就填 0 或者空着。", "Enter 0 or leave it empty if there are no extra months."},
		"checkflow.term_required":     {"请填写刑期的年数或月数。", "Enter the number of years or months of the prison term."},
		"checkflow.years_invalid":     {"年数请填写 0 到 25 之间的整数。", "Enter the years as a whole number from 0 to 25."},
		"checkflow.months_invalid":    {"月数请填写整数，例如 6。", "Enter the months as a whole number, like 6."},
		"checkflow.term_years":        {"%d 年", "%d years"},
		"checkflow.term_years_months": {"%d 年 %d 个月", "%d years %d months"},
		"checkflow.term_months":       {"%d 个月", "%d months"},
		"checkflow.term_days":         {" %d 天", " %d days"},

		// The legal basis of the result.
		"checkflow.basis.heading": {"法律依据", "Legal basis"},
		"checkflow.basis.hint":    {"这些是得出这个结果所依据的法律条文，律师和办案机关的工作人员可以据此核对。", "These are the provisions of law behind this result, so that a lawyer or the authorities can check it."},
		"checkflow.basis.R1":      {"《刑事诉讼法》第二百八十六条：犯罪的时候不满十八周岁（十八周岁生日当天仍不满十八周岁，《刑法》第十七条）", "Criminal Procedure Law art. 286: the crime was committed under the age of 18 (the 18th birthday itself is still under 18, Criminal Law art. 17)"},
		"checkflow.basis.R2":      {"《刑事诉讼法》第二百八十六条：被判处五年有期徒刑以下刑罚；《刑法》第九十九条：“以下”包括本数", "Criminal Procedure Law art. 286: a sentence of at most five years' fixed-term imprisonment; Criminal Law art. 99: “at most” includes the number itself"},
		"checkflow.basis.R3":      {"《刑法》第七十二条、《刑事诉讼法》第二百八十六条：缓刑看判处的刑期，不看考验期", "Criminal Law art. 72 and Criminal Procedure Law art. 286: for a suspended sentence the term imposed counts, not the probation"},
		"checkflow.basis.R4":      {"《刑法》第六十九条：数罪并罚时看最终决定执行的刑期", "Criminal Law art. 69: when several crimes are punished together, the term finally decided counts"},
		"checkflow.basis.R5":      {"《关于未成年人犯罪记录封存的实施办法》：行为跨越十八周岁时，看法院认定的主要犯罪行为", "Implementation Measures on the Sealing of Juvenile Criminal Records: when acts fall on both sides of the 18th birthday, the main criminal conduct found by the court counts"},
		"checkflow.basis.R6":      {"《刑事诉讼法》第二百八十六条：只适用于犯罪的时候不满十八周岁的情形", "Criminal Procedure Law art. 286: it applies only to crimes committed under the age of 18"},
		"checkflow.basis.R8":      {"《关于未成年人犯罪记录封存的实施办法》、《人民检察院刑事诉讼规则》第四百八十一条至第四百八十九条：不起诉的记录应当封存", "Implementation Measures on the Sealing of Juvenile Criminal Records and SPP Criminal Procedure Rules arts. 481–489: the records of a decision not to prosecute are sealed"},
		"checkflow.basis.R9":      {"《关于未成年人犯罪记录封存的实施办法》：不追究刑事责任、撤销案件的记录应当封存", "Implementation Measures on the Sealing of Juvenile Criminal Records: records are sealed when there is no criminal liability or the case was withdrawn"},
		"checkflow.basis.R10":     {"《关于未成年人犯罪记录封存的实施办法》：因事实不清、证据不足判决无罪的记录应当封存", "Implementation Measures on the Sealing of Juvenile Criminal Records: records are sealed after an acquittal for unclear facts or insufficient evidence"},
		"checkflow.basis.R12":     {"《关于未成年人犯罪记录封存的实施办法》：案件结束后，办案机关依法封存各自掌握的记录", "Implementation Measures on the Sealing of Juvenile Criminal Records: once the case has ended, each authority seals the records it holds"},
		"checkflow.basis.R27":     {"《关于未成年人犯罪记录封存的实施办法》：主要犯罪行为由法院认定，需要对照判决书审查", "Implementation Measures on the Sealing of Juvenile Criminal Records: the main criminal conduct is the court's finding, which must be checked against the judgment"},
		"checkflow.basis.R28":     {"《预防未成年人犯罪法》第五十九条第二款：未成年人的行政处罚、专门矫治教育等记录同样封存；《刑法》第三十五条：单独适用的驱逐出境", "Law on Preventing Juvenile Delinquency art. 59 para 2: records of a minor's administrative penalty or specialised correctional education are sealed too; Criminal Law art. 35: deportation imposed alone"},
		"checkflow.basis.R29":     {"《刑法》第十七条、第七十二条：不可能的情形", "Criminal Law arts. 17 and 72: situations the law does not allow"},

		// The application's documents still needed, uploaded together.
		"checkflow.docs.needed_heading":  {"上传还需要的材料", "Upload the documents still needed"},
		"checkflow.docs.other_heading":   {"上传其他材料（可选）", "Upload another document (optional)"},
		"checkflow.docs.upload_continue": {"上传并继续", "Upload and continue"},

		// Apply from the result.
		"checkflow.apply_now":      {"现在申请", "Apply now"},
		"checkflow.apply_hint":     {"你在这里的回答会自动填进申请，不用再填一遍。", "Your answers here are filled into the application for you."},
		"checkflow.register_apply": {"注册并申请", "Register and apply"},
		"checkflow.register_hint":  {"注册后会直接进入申请，你在这里的回答会自动填好。", "After registering you go straight to the application, with your answers here already filled in."},
	})
}
