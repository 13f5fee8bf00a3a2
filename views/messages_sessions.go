package views

// Messages of the sessions list on the account page (issue 13 finding 6).
func init() {
	addMessages(map[string][2]string{
		"account.sessions_heading":        {"登录中的设备", "Where you are signed in"},
		"account.sessions_intro":          {"如果有您不认识的设备，请结束该会话并修改密码。", "If you do not recognise a device, end its session and change your password."},
		"account.sessions_device":         {"浏览器和系统", "Browser and system"},
		"account.sessions_started":        {"登录时间", "Signed in"},
		"account.sessions_seen":           {"最近使用", "Last used"},
		"account.sessions_action":         {"操作", "Action"},
		"account.sessions_unknown_device": {"未知设备", "Unknown device"},
		"account.sessions_this":           {"本设备", "This device"},
		"account.sessions_end":            {"结束此会话", "End this session"},
		"account.sessions_end_this":       {"退出本设备", "Sign out here"},
		"account.session_missing":         {"请选择要结束的会话。", "Choose the session to end."},
		"account.notice_session_ended":    {"该会话已结束，那台设备需要重新登录。", "The session has ended: that device must sign in again."},
	})
}
