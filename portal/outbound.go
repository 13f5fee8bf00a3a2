package portal

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// Outbound messages (SMS and e-mail). A phone screen is seen by others, so the
// text of every message is discreet: it never names a criminal matter, a
// sealing, a court or a case reference; at most it carries the last four
// digits of a reference so that the person can tell two matters apart
// (TestOutboundTemplatesAreDiscreet checks every template in both languages).

// Channel is how an outbound message travels.
type Channel string

// The channels.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// OutboundKind names a message template.
type OutboundKind string

// The templates.
const (
	OutRegisterCode    OutboundKind = "register_code"     // Param: the 6-digit code
	OutResetCode       OutboundKind = "reset_code"        // Param: the 6-digit code
	OutEmailCode       OutboundKind = "email_code"        // Param: the 6-digit code
	OutProgress        OutboundKind = "progress"          // Param: a 4-digit suffix, or ""
	OutPasswordChanged OutboundKind = "password_changed"  // no parameter
	OutRegisterAttempt OutboundKind = "register_attempt"  // someone tried to register with this mobile number
	OutIdentityClaimed OutboundKind = "identity_claimed"  // someone registered with this person's identity number
	OutNewDeviceSignIn OutboundKind = "new_device_signin" // a sign-in from a device not seen before
)

// Message languages: the tags of the web pages.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// NormalizeLang maps a stored or typed language to a supported one (Chinese
// by default).
func NormalizeLang(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "en") {
		return LangEN
	}
	return LangZH
}

// outboundTemplates are the texts, Chinese and English; %s is the parameter.
var outboundTemplates = map[OutboundKind][2]string{
	OutRegisterCode: {"【公共服务平台】您的注册验证码为 %s，10分钟内有效。请勿告诉他人。",
		"[Public service portal] Your sign-up code is %s. It expires in 10 minutes. Do not share it."},
	OutResetCode: {"【公共服务平台】您正在重设密码，验证码为 %s，10分钟内有效。如非本人操作，请忽略。",
		"[Public service portal] Your password reset code is %s. It expires in 10 minutes. If you did not ask for it, ignore this message."},
	OutEmailCode: {"【公共服务平台】您的邮箱验证码为 %s，10分钟内有效。",
		"[Public service portal] Your e-mail confirmation code is %s. It expires in 10 minutes."},
	OutProgress: {"【公共服务平台】您在本平台办理的事项有新进展，请登录查看%s。",
		"[Public service portal] There is news about a matter you have with us. Please sign in to see it%s."},
	OutPasswordChanged: {"【公共服务平台】您的账户密码已修改，所有设备已退出登录。如非本人操作，请立即通过“忘记密码”重设。",
		"[Public service portal] Your password was changed and every device was signed out. If this was not you, reset it now with \"Forgot password\"."},
	OutRegisterAttempt: {"【公共服务平台】有人尝试用您的手机号码注册账户，未获成功。您无需操作；如需登录，请使用原密码或“忘记密码”。",
		"[Public service portal] Someone tried to open an account with your mobile number and did not succeed. Nothing to do; to sign in, use your password or \"Forgot password\"."},
	OutIdentityClaimed: {"【公共服务平台】有人使用您的身份证号码注册了账户。如非本人操作，请登录查看并联系平台。",
		"[Public service portal] Someone registered an account with your identity card number. If this was not you, sign in and contact us."},
	OutNewDeviceSignIn: {"【公共服务平台】您的账户在一台新设备上登录。如非本人操作，请立即重设密码。",
		"[Public service portal] Your account was signed in on a new device. If this was not you, reset your password now."},
}

// OutboundKinds lists every template, for tests and the sender.
func OutboundKinds() []OutboundKind {
	return []OutboundKind{OutRegisterCode, OutResetCode, OutEmailCode, OutProgress, OutPasswordChanged,
		OutRegisterAttempt, OutIdentityClaimed, OutNewDeviceSignIn}
}

// OutboundText renders a template in a language. For OutProgress the
// parameter is the short suffix (RefSuffix), rendered as "（编号尾号 0042）".
func OutboundText(kind OutboundKind, lang, param string) string {
	t, ok := outboundTemplates[kind]
	if !ok {
		return ""
	}
	i := 0
	if NormalizeLang(lang) == LangEN {
		i = 1
	}
	if kind == OutProgress {
		switch {
		case param == "":
		case i == 0:
			param = "（编号尾号 " + param + "）"
		default:
			param = " (number ending " + param + ")"
		}
	}
	if !strings.Contains(t[i], "%s") {
		return t[i]
	}
	return fmt.Sprintf(t[i], param)
}

// EmailSubject is the subject of every e-mail: as discreet as the text.
func EmailSubject(lang string) string {
	if NormalizeLang(lang) == LangEN {
		return "Public service portal"
	}
	return "公共服务平台通知"
}

// RefSuffix is the last four digits of a reference number (FC-2026-000042 ->
// "0042"): enough for the person to tell matters apart, nothing a bystander
// can look up.
func RefSuffix(ref string) string {
	digits := make([]byte, 0, len(ref))
	for i := 0; i < len(ref); i++ {
		if ref[i] >= '0' && ref[i] <= '9' {
			digits = append(digits, ref[i])
		}
	}
	if len(digits) < 4 {
		return ""
	}
	return string(digits[len(digits)-4:])
}

// OneTimeCode is a fresh 6-digit code from crypto/rand.
func OneTimeCode() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	n := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) % 1_000_000
	return fmt.Sprintf("%06d", n)
}

// Code rules for registration, password reset and e-mail confirmation.
const (
	CodeLifetime    = 10 * time.Minute // a code expires after this
	CodeMaxTries    = 5                // wrong entries before the code is void
	CodeResendAfter = time.Minute      // a new code no sooner than this after the last
	CodeMaxSends    = 5                // codes per pending registration or reset
)

// CodeState is the state of one pending code, kept sealed by the store.
type CodeState struct {
	Hash     []byte    // keyed hash of the code; the code is never stored
	Expires  time.Time // when it stops working
	Tries    int       // wrong entries so far
	Sends    int       // codes sent so far
	LastSent time.Time
}

// Usable reports whether the code may still be tried at now.
func (s CodeState) Usable(now time.Time) bool {
	return now.Before(s.Expires) && s.Tries < CodeMaxTries
}

// CanResend reports whether a new code may be sent at now.
func (s CodeState) CanResend(now time.Time) bool {
	return s.Sends < CodeMaxSends && !now.Before(s.LastSent.Add(CodeResendAfter))
}
