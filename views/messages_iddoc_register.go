package views

// Messages of registering with an identity document other than the mainland
// identity card (R31).
func init() {
	addMessages(map[string][2]string{
		"register.birth_date": {"出生日期", "Date of birth"},
		"register.birth_date_hint": {"护照、港澳或台湾居民来往内地（大陆）通行证等号码中不含出生日期的证件需要填写，格式：2008-05-17。使用居民身份证或居住证的无需填写。",
			"Needed for a passport, a mainland travel permit or another document whose number carries no birth date; format 2008-05-17. Leave it empty for a resident identity card or a residence permit."},
		"register.birth_date_required": {"所选证件的号码中没有出生日期，请填写出生日期", "The number of this kind of document carries no birth date: enter your date of birth"},
		"register.birth_date_invalid":  {"请按2008-05-17的格式填写真实的出生日期", "Enter a real date of birth in the form 2008-05-17"},
		// The application's person, filed by a guardian or lawyer.
		"apply.person.birth_date": {"出生日期", "Date of birth"},
		"apply.person.birth_date_hint": {"仅当证件号码中不含出生日期时填写（护照、来往内地（大陆）通行证等），按证件所载填写，格式：2008-05-17。",
			"Only for a document whose number carries no birth date (a passport, a mainland travel permit …): as the document shows it, in the form 2008-05-17."},
		"apply.person.birth_date_required": {"所选证件的号码中没有出生日期，请填写其出生日期", "The number of this kind of document carries no birth date: enter the person's date of birth"},
	})
}
