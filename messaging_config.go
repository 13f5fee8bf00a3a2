package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"sealportal/messaging"
	"sealportal/store"
)

// messagingConfig configures delivery of the outbox. With neither an SMS
// gateway nor an SMTP server configured, the portal is in demo delivery:
// every message goes to demo-outbox.jsonl beside the database. Secrets are
// read from the environment only, never from flags (a command line is
// visible to every user of the machine).
type messagingConfig struct {
	smsGateway   string // "" (none) or "tencent"
	smsEndpoint  string
	smsSecretID  string
	smsAppID     string
	smsSignName  string
	smsRegion    string
	smsTemplates string
	smtpAddr     string
	smtpUser     string
	smtpFrom     string
	codeRate     int
}

func messagingFlags(fs *flag.FlagSet, m *messagingConfig) {
	fs.StringVar(&m.smsGateway, "sms-gateway", env("PORTAL_SMS_GATEWAY", ""), "SMS gateway: empty for none (demo delivery unless SMTP is set) or tencent (Tencent Cloud SMS API) (env PORTAL_SMS_GATEWAY)")
	fs.StringVar(&m.smsEndpoint, "sms-endpoint", env("PORTAL_SMS_ENDPOINT", "https://sms.tencentcloudapi.com"), "SMS API base URL (env PORTAL_SMS_ENDPOINT)")
	fs.StringVar(&m.smsSecretID, "sms-secret-id", env("PORTAL_SMS_SECRET_ID", ""), "SMS API SecretId; the SecretKey is read from PORTAL_SMS_SECRET_KEY only (env PORTAL_SMS_SECRET_ID)")
	fs.StringVar(&m.smsAppID, "sms-app-id", env("PORTAL_SMS_APP_ID", ""), "SMS SdkAppId (env PORTAL_SMS_APP_ID)")
	fs.StringVar(&m.smsSignName, "sms-sign-name", env("PORTAL_SMS_SIGN_NAME", ""), "approved SMS signature (env PORTAL_SMS_SIGN_NAME)")
	fs.StringVar(&m.smsRegion, "sms-region", env("PORTAL_SMS_REGION", "ap-guangzhou"), "SMS API region (env PORTAL_SMS_REGION)")
	fs.StringVar(&m.smsTemplates, "sms-templates", env("PORTAL_SMS_TEMPLATES", ""), "approved template ids, kind:lang=id,... for every message kind in zh-CN and en (env PORTAL_SMS_TEMPLATES)")
	fs.StringVar(&m.smtpAddr, "smtp-addr", env("PORTAL_SMTP_ADDR", ""), "SMTP submission server host:port; STARTTLS is required (env PORTAL_SMTP_ADDR)")
	fs.StringVar(&m.smtpUser, "smtp-user", env("PORTAL_SMTP_USER", ""), "SMTP user name; the password is read from PORTAL_SMTP_PASSWORD only (env PORTAL_SMTP_USER)")
	fs.StringVar(&m.smtpFrom, "smtp-from", env("PORTAL_SMTP_FROM", ""), "sender address of e-mails (env PORTAL_SMTP_FROM)")
	fs.IntVar(&m.codeRate, "code-rate", envInt("PORTAL_CODE_RATE", 30), "requests that send a code (registration, password reset, e-mail) one client address may make per hour (env PORTAL_CODE_RATE)")
}

// demoPath is the demo delivery file: beside the database.
func demoPath(data string) string { return filepath.Join(filepath.Dir(data), messaging.DemoFile) }

// sender builds the outbox sender from the configuration.
func (m messagingConfig) sender(db *store.DB, data string, log *slog.Logger) (*messaging.Sender, error) {
	s := &messaging.Sender{DB: db, Log: log}
	if m.smsGateway == "" && m.smtpAddr == "" {
		d := &messaging.Demo{Path: demoPath(data)}
		s.SMS, s.Email = d, d
		// The log names the mode, never a recipient or a text.
		log.Info("demo delivery is on: no SMS gateway or SMTP server is configured; every SMS and e-mail is written to "+messaging.DemoFile+" beside the database instead of being sent", "file", messaging.DemoFile)
		return s, nil
	}
	switch m.smsGateway {
	case "":
		log.Warn("no SMS gateway configured: SMS messages are not delivered (demo delivery is off because SMTP is set)")
	case "tencent":
		tpl, err := messaging.ParseTemplates(m.smsTemplates)
		if err != nil {
			return nil, err
		}
		key := os.Getenv("PORTAL_SMS_SECRET_KEY")
		if m.smsSecretID == "" || key == "" || m.smsAppID == "" || m.smsSignName == "" {
			return nil, fmt.Errorf("-sms-gateway tencent needs -sms-secret-id, PORTAL_SMS_SECRET_KEY, -sms-app-id and -sms-sign-name")
		}
		s.SMS = &messaging.TencentSMS{SecretID: m.smsSecretID, SecretKey: key, AppID: m.smsAppID, SignName: m.smsSignName,
			Region: m.smsRegion, Endpoint: m.smsEndpoint, Templates: tpl}
		log.Info("SMS gateway", "gateway", "tencent", "endpoint", m.smsEndpoint)
	default:
		return nil, fmt.Errorf("-sms-gateway must be empty or tencent, not %q", m.smsGateway)
	}
	if m.smtpAddr == "" {
		log.Warn("no SMTP server configured: e-mail notices are not delivered")
		return s, nil
	}
	if m.smtpFrom == "" {
		return nil, fmt.Errorf("-smtp-addr needs -smtp-from")
	}
	s.Email = &messaging.SMTP{Addr: m.smtpAddr, Username: m.smtpUser, Password: os.Getenv("PORTAL_SMTP_PASSWORD"), From: m.smtpFrom,
		TLS: &tls.Config{MinVersion: tls.VersionTLS12}}
	log.Info("SMTP server", "addr", m.smtpAddr)
	return s, nil
}
