package views

// Messages of identity (issue 11): identity levels, OpenID Connect, the
// organ's checks, guardians at the 18th birthday, devices, timeline actors.
// Notification texts never name a criminal matter, a case number or a court:
// a phone screen is seen by others.
func init() {
	addMessages(map[string][2]string{
		"identity.title":          {"身份核验", "Identity verification"},
		"identity.level_verified": {"你的身份已经核验。机关掌握的与你有关的记录会显示在“我的案件”中。", "Your identity is verified. Records the organs hold about you appear under My cases."},
		"identity.level_contact":  {"你的账户只核验了手机号，身份尚未核验。", "Only your mobile number is verified; your identity is not verified yet."},
		"identity.explain": {"身份未核验时，你可以提出申请，并查看自己提交的内容和办理状态，也可以提出救济申请和泄露举报。机关依职权办理的案件、他人代为提交的案件、机关的文书和留言，只有在身份核验后才会显示。",
			"Until your identity is verified you can start applications and see what you filed and its status, and file relief requests and leak reports. Cases an organ opened itself, cases others filed for you, and the organs' documents and messages appear only once your identity is verified."},
		"identity.ways_title":         {"如何核验身份", "How to verify your identity"},
		"identity.oidc_explain":       {"通过统一身份认证服务核验：你将转到认证服务登录，完成后返回本平台。", "Through the unified identity service: you sign in there and come back here."},
		"identity.oidc_start":         {"前往统一身份认证", "Verify with the identity service"},
		"identity.organ_explain":      {"也可以由受理你申请的机关当面核对身份证件后为你核验。", "Or the organ that accepts your application checks your identity papers and verifies you."},
		"identity.method.oidc":        {"通过统一身份认证服务核验。", "Verified through the identity service."},
		"identity.method.organ":       {"由受理机关核对身份证件后核验。", "Verified by the accepting organ against your identity papers."},
		"identity.method.seed":        {"演示账户，已核验。", "Demo account, verified."},
		"identity.notice_verified":    {"身份已核验。", "Your identity is verified."},
		"identity.verify_link":        {"核验身份", "Verify your identity"},
		"identity.guardian_row_ended": {"当事人已年满十八周岁，你的监护人权限已结束", "The person has turned 18; your access as guardian has ended"},
		"identity.account_link":       {"身份核验详情", "Identity verification details"},
		"identity.case_unverified": {"你的身份尚未核验，这里只显示你自己提交的内容和办理状态。核验后可以看到机关的文书、留言和查阅记录。",
			"Your identity is not verified yet, so only what you filed and its status are shown. Once verified you will see the organs' documents, messages and who looked at the record."},
		"identity.case_guardianship_unverified": {"机关尚未核验你的监护关系，这里只显示你提交的内容和办理状态。", "The organ has not yet verified your guardianship, so only what you filed and its status are shown."},
		"identity.guardian_access_ended": {"当事人已年满十八周岁，你作为监护人查看和办理这件事项的权限已经结束。尚未提交或被退回补正的申请已转交当事人本人。如有疑问，请联系受理机关。",
			"The person has turned 18, so your access as guardian to this matter has ended. An application not yet sent or returned for correction has passed to the person. Contact the organ if you have questions."},
		"identity.already_verified":     {"这个身份证号码已经有一个核验过的账户。如果不是你本人操作，请联系受理机关。", "This identity number already has a verified account. If that was not you, contact the organ."},
		"identity.not_citizen":          {"只有个人账户可以核验身份。", "Only personal accounts can be verified."},
		"identity.number_mismatch":      {"认证结果中的身份证号码与账户登记的不一致。", "The identity number verified does not match the one on the account."},
		"identity.name_mismatch":        {"认证结果中的姓名与账户登记的不一致。", "The name verified does not match the name on the account."},
		"identity.not_self_filed":       {"这份申请不是当事人本人提交的，不能核验申请人身份。", "The person did not file this application, so the applicant's identity cannot be checked here."},
		"identity.not_guardian_filed":   {"这份申请不是监护人提交的。", "A guardian did not file this application."},
		"identity.not_decider":          {"只有受理机关可以核验。", "Only the deciding organ can check this."},
		"identity.check_not_now":        {"只能在受理和审查期间核验。", "This can be checked only while the application is before the organ."},
		"identity.guardian_not_adult":   {"监护人必须年满十八周岁。", "A guardian must be an adult."},
		"identity.person_adult":         {"当事人已年满十八周岁，不再需要监护人。", "The person has turned 18 and no longer has a guardian here."},
		"identity.check_unknown":        {"请使用页面上的核验表单。", "Please use the check form on the page."},
		"identity.papers_required":      {"请确认已核对证件原件。", "Confirm that you checked the papers."},
		"identity.provider_unreachable": {"暂时无法连接统一身份认证服务，请稍后再试。", "The identity service cannot be reached right now. Please try again later."},
		"identity.oidc_state":           {"认证请求已失效，请重新开始。", "The verification request expired. Please start again."},
		"identity.oidc_cancelled":       {"认证没有完成。", "The verification was not completed."},
		"identity.oidc_failed":          {"认证结果无法确认，请重新开始。", "The verification result could not be confirmed. Please start again."},
		"identity.oidc_claims_missing":  {"认证服务没有提供身份证号码和姓名。", "The identity service did not provide the identity number and name."},

		"identity.staff_title.identity":       {"核验申请人身份", "Check the applicant's identity"},
		"identity.staff_title.guardianship":   {"核验监护关系", "Check the guardianship"},
		"identity.staff_hint.identity":        {"核对申请人的身份证件原件与本案记载的姓名、证件类型和号码一致后确认。确认后，该账户即为本人核验账户，并会记入审计日志。", "Check the applicant's identity papers against the name, kind of document and number on this case. Confirming verifies the account for this person and is written to the audit log."},
		"identity.staff_hint.guardianship":    {"核对监护关系证明（如户口簿、出生医学证明或法院文书）后确认。确认前，监护人看不到机关的文书和留言。", "Check the proof of guardianship (household register, birth certificate or court document). Until then the guardian sees none of the organ's documents or messages."},
		"identity.staff_confirm.identity":     {"我已核对身份证件原件，与本案记载一致", "I checked the identity papers and they match this case"},
		"identity.staff_confirm.guardianship": {"我已核对监护关系证明", "I checked the proof of guardianship"},
		"identity.staff_submit.identity":      {"确认申请人身份", "Confirm the applicant's identity"},
		"identity.staff_submit.guardianship":  {"确认监护关系", "Confirm the guardianship"},
		"identity.staff_done.identity":        {"申请人身份已核验。", "The applicant's identity is verified."},
		"identity.staff_done.guardianship":    {"监护关系已核验。", "The guardianship is verified."},
		"staff.notice.identity_verified":      {"已确认申请人身份。", "The applicant's identity is confirmed."},
		"staff.notice.guardianship_verified":  {"已确认监护关系。", "The guardianship is confirmed."},

		// R11: a withdrawal never ends the organ's duty.
		"cases.withdraw_not_filer":  {"只有提交申请的人可以撤回；机关依职权启动的事项不能撤回。", "Only whoever filed the application can withdraw it; a matter an organ opened itself cannot be withdrawn."},
		"staff.action.take_up":      {"依职权继续办理封存", "Take up the sealing ex officio"},
		"staff.action_hint.take_up": {"申请已撤回，但依本案事实应当封存：封存不依赖申请（R11），本机关仍应办理。", "The application was withdrawn, but the facts make the record sealable: sealing does not depend on an application (R11), so your organ still owes it."},
		"staff.notice.take_up":      {"已依职权继续办理。", "Taken up ex officio."},
		"event.take_up":             {"机关依职权继续办理", "Taken up by the organ on its own initiative"},

		// Notifications: discreet words only.
		"notify.identity_claimed":      {"有人使用你的身份信息注册或核验了另一个账户，请登录查看。", "Someone used your identity details for another account. Please sign in to check."},
		"notify.identity_verified":     {"你的身份已核验。", "Your identity is verified."},
		"notify.new_device":            {"你的账户在一台新设备上登录。", "Your account signed in on a new device."},
		"notify.guardian_ended":        {"你作为监护人的查看权限已结束。", "Your access as guardian has ended."},
		"notify.handed_over":           {"一件由监护人办理的事项已转交给你。", "A matter your guardian started is now yours."},
		"notify.guardianship_verified": {"你的监护关系已核验。", "Your guardianship is verified."},

		// Timeline actors.
		"actor.person":   {"本人", "The person"},
		"actor.guardian": {"监护人", "The guardian"},
		"actor.lawyer":   {"律师", "The lawyer"},
		"actor.system":   {"平台", "The portal"},

		// Who looked: citizens' reads and new devices.
		"accesslog.who_you":         {"你本人", "You"},
		"accesslog.duty.citizen":    {"通过本平台账户查看", "Read through a portal account"},
		"accesslog.duty.sign_in":    {"在新设备上登录", "Signed in on a new device"},
		"accesslog.kind.case_read":  {"查看案件内容", "Read the case"},
		"accesslog.kind.new_device": {"新设备登录", "New device sign-in"},
	})
}
