package messaging

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"sealportal/store"
)

// SMTP delivers e-mail through a submission server, always over TLS:
// STARTTLS is required (a server that does not offer it gets nothing, so no
// message ever crosses the network in clear).
type SMTP struct {
	Addr     string // host:port, e.g. smtp.example.org:587
	Username string // empty: no authentication
	Password string
	From     string // the envelope and header sender
	// TLS is the client TLS configuration (nil: the system roots, server
	// name from Addr).
	TLS *tls.Config
	// Hostname is sent in EHLO (default "localhost").
	Hostname string
}

// Deliver sends one e-mail. The Message-ID is derived from the outbox row,
// so a copy sent twice (SMTP has no way to ask the server whether it took an
// earlier attempt) carries the same id and mail clients show it once.
func (s *SMTP) Deliver(ctx context.Context, m store.OutboxMessage) (string, error) {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return "", Permanent(err)
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return "", err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return "", smtpErr(err)
	}
	defer c.Close()
	name := s.Hostname
	if name == "" {
		name = "localhost"
	}
	if err := c.Hello(name); err != nil {
		return "", smtpErr(err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return "", errors.New("smtp: server offers no STARTTLS")
	}
	cfg := s.TLS
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	if err := c.StartTLS(cfg); err != nil {
		return "", smtpErr(err)
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return "", smtpErr(err)
		}
	}
	msgID := messageID(m, s.From)
	if err := c.Mail(s.From); err != nil {
		return "", smtpErr(err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return "", smtpErr(err)
	}
	w, err := c.Data()
	if err != nil {
		return "", smtpErr(err)
	}
	if _, err := w.Write(composeMail(s.From, m, msgID)); err != nil {
		return "", smtpErr(err)
	}
	if err := w.Close(); err != nil {
		return "", smtpErr(err)
	}
	_ = c.Quit()
	return msgID, nil
}

func messageID(m store.OutboxMessage, from string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	return fmt.Sprintf("<outbox-%d-%d@%s>", m.ID, m.Created.UnixNano(), domain)
}

// composeMail writes a plain-text UTF-8 message.
func composeMail(from string, m store.OutboxMessage, msgID string) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from)
	h("To", m.To)
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", m.Created.Format(time.RFC1123Z))
	h("Message-ID", msgID)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(m.Text))
	_ = qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

// smtpErr makes a 5xx reply permanent: the server refused for good.
func smtpErr(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		g := GatewayError{Code: fmt.Sprintf("smtp_%d", te.Code), Message: "refused"}
		if te.Code >= 500 {
			return Permanent(g)
		}
		return g
	}
	return err
}
