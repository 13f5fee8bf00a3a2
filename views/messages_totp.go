package views

// Messages of two-step verification (TOTP, RFC 6238) and recovery codes.
func init() {
	addMessages(map[string][2]string{
		// Enrolment.
		"totp.setup_title":  {"设置两步验证", "Set up two-step verification"},
		"totp.setup_forced": {"工作人员账户必须使用两步验证。完成设置后才能继续。", "Official accounts must use two-step verification. Set it up before you continue."},
		"totp.setup_intro": {"每次登录时，除了密码，你还需要输入手机上身份验证器应用显示的 6 位验证码。可以使用任何支持基于时间的一次性密码（TOTP）的应用。",
			"Each time you sign in you will type, as well as your password, the 6-digit code shown by an authenticator app on your phone. Any app that supports time-based one-time passwords (TOTP) will do."},
		"totp.setup_step_scan":    {"第 1 步：用应用扫描二维码", "Step 1: scan the QR code with the app"},
		"totp.setup_qr_alt":       {"用于身份验证器应用的二维码。如果无法扫描，请手动输入下面的密钥。", "QR code for the authenticator app. If you cannot scan it, type the key below instead."},
		"totp.setup_step_manual":  {"或者手动输入密钥", "Or type the key by hand"},
		"totp.setup_manual_hint":  {"在应用中选择手动输入，账户类型选“基于时间”，然后输入下面的密钥（空格可以不输）。", "In the app, choose to enter a key, pick “time based”, then type the key below (the spaces do not matter)."},
		"totp.setup_step_confirm": {"第 2 步：输入应用显示的验证码", "Step 2: enter the code the app shows"},
		"totp.setup_code_hint":    {"6 位数字，例如 123456", "6 digits, for example 123456"},
		"totp.setup_submit":       {"确认并开启", "Confirm and turn on"},
		"totp.already_enrolled":   {"这个账户已经设置了两步验证。", "Two-step verification is already set up for this account."},
		"totp.enrol_expired":      {"设置已过期，请重新扫描本页的二维码。", "The set-up has expired. Scan the QR code on this page again."},
		// Recovery codes.
		"totp.codes_title": {"你的恢复码", "Your recovery codes"},
		"totp.codes_once":  {"这些恢复码只显示这一次。请现在打印或抄写下来，妥善保管。", "These recovery codes are shown only this once. Print them or write them down now and keep them safe."},
		"totp.codes_intro": {"如果手机丢失或无法使用，可以用一个恢复码代替验证码登录。每个恢复码只能使用一次。", "If you lose your phone or cannot use it, you can sign in with a recovery code instead of a code from the app. Each recovery code works once."},
		"totp.codes_print": {"可以使用浏览器的打印功能打印本页；打印时不会包含页面的导航。", "You can print this page with your browser's print command; the navigation is left out of the printout."},
		"totp.codes_saved": {"我已保存这些恢复码，继续", "I have saved them, continue"},
		// The code page (login and step-up).
		"totp.login_title":          {"输入验证码", "Enter your verification code"},
		"totp.login_intro":          {"密码正确。请打开身份验证器应用，输入显示的 6 位验证码。如果无法使用手机，可以输入一个恢复码。", "Your password is right. Open your authenticator app and enter the 6-digit code it shows. If you cannot use your phone, enter a recovery code."},
		"totp.stepup_title":         {"请再次验证身份", "Confirm it is you"},
		"totp.stepup_kept":          {"您刚才填写的内容已保留，输入验证码后将一并提交。", "What you just typed has been kept; it is sent together with the code."},
		"totp.stepup_files_dropped": {"选择的文件无法保留，验证后请重新选择。", "Chosen files cannot be kept: choose them again after the code."},
		"totp.stepup_intro":         {"查看封存记录的内容前，需要重新输入验证码（距上次验证已超过 5 分钟）。每次查看都会记入审计日志。", "Before the contents of a sealed record are shown, enter a code again (your last check was more than 5 minutes ago). Every look is written to the audit log."},
		"totp.code_label":           {"验证码", "Verification code"},
		"totp.code_hint":            {"应用显示的 6 位数字，或一个恢复码（例如 abcd-efgh-jkmn-pqrs）", "The 6 digits the app shows, or a recovery code (for example abcd-efgh-jkmn-pqrs)"},
		"totp.code_submit":          {"继续", "Continue"},
		"totp.login_restart":        {"重新登录", "Start signing in again"},
		"totp.code_format":          {"请输入 6 位数字验证码或恢复码。", "Enter the 6-digit code or a recovery code."},
		"totp.code_wrong":           {"验证码不正确，或已过期。请输入应用当前显示的验证码。", "The code is wrong or has expired. Enter the code the app shows now."},
		"totp.replayed":             {"这个验证码已经用过了。请等待应用显示新的验证码后再输入。", "This code has already been used. Wait for the app to show a new code and enter that."},
		"totp.locked":               {"尝试次数过多，账户已暂时锁定。请 15 分钟后重新登录。", "Too many attempts: the account is locked for a while. Sign in again in 15 minutes."},
		"totp.not_enrolled":         {"这个账户没有设置两步验证。", "This account has no two-step verification set up."},
		"totp.pending_gone":         {"登录已超时或尝试次数过多，请重新输入密码。", "Signing in took too long or had too many attempts. Enter your password again."},
		"totp.recovery_used":        {"已使用一个恢复码。剩余 %d 个；用完之前请联系系统管理员重新设置。", "You used a recovery code. %d are left; ask the system administrator to set up again before they run out."},
		// The account's page.
		"totp.status_title":         {"两步验证", "Two-step verification"},
		"totp.status_intro":         {"两步验证在密码之外再要求手机应用显示的验证码，即使密码被他人知道，账户也不会被登录。", "Two-step verification asks for a code from an app on your phone as well as your password, so that someone who learns your password still cannot sign in."},
		"totp.status_on":            {"已开启", "On"},
		"totp.status_off":           {"未开启", "Off"},
		"totp.status_required":      {"工作人员账户必须开启两步验证。", "Official accounts must use two-step verification."},
		"totp.status_enable":        {"开启两步验证", "Turn on two-step verification"},
		"totp.status_recovery_left": {"剩余恢复码：%d 个", "Recovery codes left: %d"},
		"totp.status_lost_phone":    {"如果更换或丢失了手机，请用恢复码登录，并请系统管理员重置两步验证。", "If you change or lose your phone, sign in with a recovery code and ask the system administrator to reset two-step verification."},
		"totp.notice_enabled":       {"两步验证已开启。", "Two-step verification is on."},
	})
}
