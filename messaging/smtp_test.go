package messaging

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"sealportal/portal"
	"sealportal/store"
)

// testCert makes a self-signed certificate for 127.0.0.1 and a pool that
// trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// mailbox is the test SMTP server's backend: it records what arrives and
// whether the session was under TLS when it did.
type mailbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from, to string
	data     []byte
	tls      bool
	user     string
}

type session struct {
	box  *mailbox
	conn *smtp.Conn
	cur  received
}

func (b *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{box: b, conn: c}, nil
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "portal" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.cur.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.cur.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur.data, s.cur.tls = b, isTLS
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// startSMTP runs github.com/emersion/go-smtp on a loopback port with
// STARTTLS (and, when tlsOn is false, without it).
func startSMTP(t *testing.T, tlsOn bool) (*mailbox, string, *x509.CertPool) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	cert, pool := testCert(t)
	if tlsOn {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	} else {
		srv.AllowInsecureAuth = true
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, l.Addr().String(), pool
}

func mailMessage(id uint64, to string) store.OutboxMessage {
	return store.OutboxMessage{ID: id, Channel: portal.ChannelEmail, To: to, Kind: portal.OutProgress, Lang: portal.LangZH,
		Subject: portal.EmailSubject(portal.LangZH), Text: portal.OutboundText(portal.OutProgress, portal.LangZH, "0042"),
		Created: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
}

// The e-mail deliverer speaks SMTP to a real server library, upgrades to TLS
// with STARTTLS before authenticating or sending, and the message arrives
// with its discreet subject and text intact.
func TestSMTPDeliversOverSTARTTLS(t *testing.T) {
	box, addr, pool := startSMTP(t, true)
	d := &SMTP{Addr: addr, Username: "portal", Password: "s3cret", From: "noreply@portal.example",
		TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	m := mailMessage(7, "person@example.org")
	id, err := d.Deliver(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(box.msgs) != 1 {
		t.Fatalf("server received %d messages", len(box.msgs))
	}
	got := box.msgs[0]
	if !got.tls || got.user != "portal" || got.from != "noreply@portal.example" || got.to != "person@example.org" {
		t.Fatalf("received %+v", got)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got.data)))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Message-Id") != id || !strings.Contains(id, "outbox-7-") {
		t.Errorf("Message-ID %q, deliverer said %q", msg.Header.Get("Message-Id"), id)
	}
	subj, _ := new(mimeDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subj != m.Subject {
		t.Errorf("subject %q", subj)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if strings.TrimSpace(string(body)) != m.Text {
		t.Errorf("body %q, want %q", body, m.Text)
	}
}

// A server that offers no STARTTLS gets nothing: the message never crosses
// the network in clear, and the sender will retry (not a permanent error).
func TestSMTPRefusesAServerWithoutTLS(t *testing.T) {
	box, addr, _ := startSMTP(t, false)
	d := &SMTP{Addr: addr, From: "noreply@portal.example"}
	_, err := d.Deliver(context.Background(), mailMessage(1, "person@example.org"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err %v", err)
	}
	var perm PermanentError
	if errors.As(err, &perm) {
		t.Error("no TLS is a configuration problem, not a permanent refusal of this message")
	}
	if len(box.msgs) != 0 {
		t.Fatal("a message went out without TLS")
	}
}

// A 5xx refusal of the recipient is permanent: the sender gives up at once.
func TestSMTPPermanentRefusal(t *testing.T) {
	_, addr, pool := startSMTP(t, true)
	d := &SMTP{Addr: addr, From: "noreply@portal.example", TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	_, err := d.Deliver(context.Background(), mailMessage(1, "nobody@example.org"))
	var perm PermanentError
	if !errors.As(err, &perm) || errorClass(err) != "smtp_550" {
		t.Fatalf("err %v (class %s)", err, errorClass(err))
	}
}

type mimeDecoder = mime.WordDecoder
