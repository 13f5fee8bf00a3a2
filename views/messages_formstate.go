package views

// Messages of forms, Back and time-outs (issue 16): the session time limit and
// the form kept across a sign-in.
func init() {
	addMessages(map[string][2]string{
		"formstate.time_limit": {"为保护您的信息，%d 分钟无操作后将自动退出登录。如果退出后才提交表单，重新登录后您填写的内容会恢复（文件需重新选择）。",
			"To protect your information you are signed out after %d minutes without activity. If you send a form after that, what you typed is filled back in once you sign in again (files must be chosen again)."},
		"formstate.dialog_title": {"即将退出登录", "You are about to be signed out"},
		"formstate.dialog_text": {"您已有一段时间没有操作，2 分钟后将自动退出登录。您填写的内容不会丢失。",
			"You have not done anything for a while: you will be signed out in 2 minutes. What you have typed will not be lost."},
		"formstate.dialog_ended": {"您已退出登录。提交表单时请重新登录，您填写的内容会恢复。",
			"You have been signed out. Send the form and sign in again: what you typed will be filled back in."},
		"formstate.dialog_stay": {"保持登录", "Stay signed in"},
		"formstate.kept": {"您的登录已超时。我们保留了您填写的内容，请检查后再次提交。",
			"Your session had timed out. We kept what you typed: check it and send it again."},
		"formstate.kept_files": {"您的登录已超时。我们保留了您填写的内容，请检查后再次提交。出于安全考虑，文件没有保留，请重新选择。",
			"Your session had timed out. We kept what you typed: check it and send it again. For your safety files are not kept: choose them again."},
	})
}
