package views

// Messages of the system administrator's console: accounts only, never case
// contents, and no citizen's personal data.
func init() {
	addMessages(map[string][2]string{
		"sysadmin.accounts_title":       {"账户管理", "Accounts"},
		"sysadmin.accounts_intro":       {"这里列出所有账户。公民的手机号已部分隐藏，不显示任何人的姓名。每项操作都会记入审计日志。", "Every account is listed here. Citizens' mobile numbers are partly hidden and nobody's name is shown. Every action is written to the audit log."},
		"sysadmin.col_id":               {"编号", "ID"},
		"sysadmin.col_role":             {"角色", "Role"},
		"sysadmin.col_login":            {"登录名", "Login"},
		"sysadmin.col_organ":            {"机关或单位", "Organ or unit"},
		"sysadmin.col_status":           {"状态", "Status"},
		"sysadmin.col_totp":             {"两步验证", "Two-step verification"},
		"sysadmin.col_actions":          {"操作", "Actions"},
		"sysadmin.status_active":        {"正常", "Active"},
		"sysadmin.status_disabled":      {"已停用", "Disabled"},
		"sysadmin.status_locked":        {"暂时锁定", "Locked for now"},
		"sysadmin.totp_yes":             {"已设置", "Set up"},
		"sysadmin.totp_no":              {"未设置", "Not set up"},
		"sysadmin.of_account":           {"（账户 %d）", " (account %d)"},
		"sysadmin.action_reset-totp":    {"重置两步验证", "Reset two-step verification"},
		"sysadmin.action_end-sessions":  {"结束所有会话", "End all sessions"},
		"sysadmin.action_disable":       {"停用账户", "Disable the account"},
		"sysadmin.action_enable":        {"重新启用账户", "Enable the account"},
		"sysadmin.confirm_reset-totp":   {"确认重置两步验证", "Confirm: reset two-step verification"},
		"sysadmin.confirm_end-sessions": {"确认结束所有会话", "Confirm: end all sessions"},
		"sysadmin.confirm_disable":      {"确认停用账户", "Confirm: disable the account"},
		"sysadmin.confirm_enable":       {"确认重新启用账户", "Confirm: enable the account"},
		"sysadmin.explain_reset-totp":   {"验证器密钥和所有恢复码将被删除，账户的所有会话将结束。工作人员下次登录时必须重新设置两步验证。请先通过其他渠道核实本人身份。", "The authenticator key and every recovery code are deleted and every session of the account ends. An official must set up two-step verification again at the next sign-in. Check who is asking through another channel first."},
		"sysadmin.explain_end-sessions": {"这个账户在所有浏览器上的登录都将立即结束。", "The account is signed out at once in every browser."},
		"sysadmin.explain_disable":      {"账户将无法登录，所有会话立即结束。", "The account can no longer sign in and every session ends at once."},
		"sysadmin.explain_enable":       {"账户将可以重新登录。", "The account can sign in again."},
		"sysadmin.confirm_button":       {"确认", "Confirm"},
		"sysadmin.cancel":               {"取消，返回账户列表", "Cancel and go back to the accounts"},
		"sysadmin.self_refused":         {"不能停用自己的账户。", "You cannot disable your own account."},
		"sysadmin.done_reset-totp":      {"已重置两步验证，账户的所有会话已结束。", "Two-step verification was reset and every session of the account has ended."},
		"sysadmin.done_end-sessions":    {"账户的所有会话已结束。", "Every session of the account has ended."},
		"sysadmin.done_disable":         {"账户已停用。", "The account is disabled."},
		"sysadmin.done_enable":          {"账户已重新启用。", "The account is enabled again."},
	})
}
