package views

// Messages of the desk (issue 16): what the lawyer's and the guardian's list
// of cases puts first, its search and its pages.
func init() {
	addMessages(map[string][2]string{
		"desk.search_title":       {"查找案件", "Find a case"},
		"desk.search_label":       {"当事人姓名、受理编号或机关案号", "Client's name, reference or the organ's case number"},
		"desk.search_hint":        {"请输入当事人的完整姓名（不支持只输入部分姓名），或完整的受理编号（如 FC-2026-000042），或法院、检察院、公安机关的案号。", "Type the client's full name (part of a name finds nothing), the whole reference (such as FC-2026-000042) or the case number of the court, procuratorate or police."},
		"desk.search_submit":      {"查找", "Find"},
		"desk.search_clear":       {"清除查找，显示全部案件", "Clear the search and show every case"},
		"desk.search_result":      {"查找“%[1]s”：找到 %[2]d 件。", "Search for “%[1]s”: %[2]d found."},
		"desk.search_none":        {"没有找到符合的案件。请检查姓名或编号是否完整、准确。", "No case matches. Check that the name or number is complete and correct."},
		"desk.search_too_long":    {"查找内容不能超过 100 个字。", "The search can be at most 100 characters long."},
		"desk.search_empty":       {"请输入要查找的姓名或编号。", "Enter a name or a number to search for."},
		"desk.action_title":       {"需要你处理", "Needs your action"},
		"desk.action_none":        {"目前没有需要你处理的案件。", "Nothing needs your action now."},
		"desk.action_more":        {"显示最紧急的 %[1]d 件，共 %[2]d 件需要处理。", "Showing the %[1]d most urgent of %[2]d cases that need your action."},
		"desk.action_caption":     {"需要你处理的案件，按期限排列", "Cases that need your action, by deadline"},
		"desk.col_why":            {"原因", "Why"},
		"desk.reason_returned":    {"已退回，需要补正", "Returned for correction"},
		"desk.reason_message":     {"机关来信，等待你的回复", "A message from the organ awaits your reply"},
		"desk.reason_due":         {"期限在 3 个工作日内（或已超期）", "Deadline within 3 working days (or passed)"},
		"desk.all_title":          {"全部案件", "All cases"},
		"desk.col_organ_case_no":  {"机关案号", "Organ's case number"},
		"desk.pages_label":        {"案件列表分页", "Pages of the list of cases"},
		"desk.page_of":            {"第 %[1]d 页，共 %[2]d 页", "Page %[1]d of %[2]d"},
		"desk.prev":               {"上一页", "Previous page"},
		"desk.next":               {"下一页", "Next page"},
		"desk.search_not_offered": {"只有律师和监护人的案件列表可以查找。", "Only a lawyer's or a guardian's list of cases can be searched."},
		"desk.page_unknown":       {"无法识别所选的页码，已显示第 1 页。", "That page number is not one we know, so the first page is shown."},
	})
}
