package messaging

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"sealportal/portal"
	"sealportal/store"
)

// The SMS gateway in these tests is an HTTP server that checks every request
// exactly as Tencent Cloud's API v3 documentation describes TC3-HMAC-SHA256
// (written here from the documentation, independently of the deliverer's
// signer) and answers SendSms in the documented response format. No SMPP or
// CMPP server library is served by the module proxy this project can reach,
// so the cloud HTTP API is the protocol; the verifier is itself checked
// against Tencent Cloud's official Go SDK (TestVerifierAcceptsTheOfficialSDK),
// so that a mistake shared by signer and verifier cannot pass.

const (
	tcID  = "AKIDtestsecretid"
	tcKey = "testsecretkey"
)

type smsGateway struct {
	mu       sync.Mutex
	accepted []map[string]any
	refuse   string // an error code to answer with
	now      func() time.Time
}

func (g *smsGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"Response": v})
	}
	fail := func(code string) {
		reply(map[string]any{"Error": map[string]string{"Code": code, "Message": code}, "RequestId": "req-1"})
	}
	if code := verifyTC3(r, body, g.now()); code != "" {
		fail(code)
		return
	}
	if r.Header.Get("X-TC-Action") != "SendSms" || r.Header.Get("X-TC-Version") != "2021-01-11" {
		fail("InvalidAction")
		return
	}
	if g.refuse != "" {
		fail(g.refuse)
		return
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		fail("InvalidParameter")
		return
	}
	g.mu.Lock()
	g.accepted = append(g.accepted, req)
	n := len(g.accepted)
	g.mu.Unlock()
	reply(map[string]any{"SendStatusSet": []map[string]any{{"SerialNo": "serial-" + strconv.Itoa(n), "Code": "Ok", "Message": "send success"}},
		"RequestId": "req-" + strconv.Itoa(n)})
}

// verifyTC3 checks the Authorization header per the documentation and
// returns "" or the documented error code.
func verifyTC3(r *http.Request, body []byte, now time.Time) string {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "TC3-HMAC-SHA256 ")
	if !ok {
		return "AuthFailure.SignatureFailure"
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	cred := strings.Split(parts["Credential"], "/")
	if len(cred) != 4 || cred[0] != tcID || cred[2] != "sms" || cred[3] != "tc3_request" {
		return "AuthFailure.SecretIdNotFound"
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return "AuthFailure.SignatureExpire"
	}
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	if cred[1] != date {
		return "AuthFailure.SignatureFailure"
	}
	var canonHeaders strings.Builder
	signed := strings.Split(parts["SignedHeaders"], ";")
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canonHeaders.WriteString(h + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	sum := sha256.Sum256(body)
	canonical := r.Method + "\n" + r.URL.Path + "\n" + r.URL.RawQuery + "\n" + canonHeaders.String() + "\n" +
		parts["SignedHeaders"] + "\n" + hex.EncodeToString(sum[:])
	csum := sha256.Sum256([]byte(canonical))
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(ts, 10) + "\n" + date + "/sms/tc3_request\n" + hex.EncodeToString(csum[:])
	mac := func(k []byte, s string) []byte { m := hmac.New(sha256.New, k); m.Write([]byte(s)); return m.Sum(nil) }
	k := mac(mac(mac([]byte("TC3"+tcKey), date), "sms"), "tc3_request")
	if !hmac.Equal([]byte(hex.EncodeToString(mac(k, toSign))), []byte(parts["Signature"])) {
		return "AuthFailure.SignatureFailure"
	}
	return ""
}

func startGateway(t *testing.T) (*smsGateway, *httptest.Server) {
	g := &smsGateway{now: time.Now}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv
}

func allTemplates() map[string]string {
	m := map[string]string{}
	for i, k := range portal.OutboundKinds() {
		m[string(k)+":"+portal.LangZH] = strconv.Itoa(100 + i)
		m[string(k)+":"+portal.LangEN] = strconv.Itoa(200 + i)
	}
	return m
}

func smsMessage(id uint64) store.OutboxMessage {
	return store.OutboxMessage{ID: id, Channel: portal.ChannelSMS, To: "13800138000", Kind: portal.OutRegisterCode,
		Lang: portal.LangEN, Param: "123456", Text: portal.OutboundText(portal.OutRegisterCode, portal.LangEN, "123456")}
}

// The verifier accepts a request signed by Tencent Cloud's official SDK and
// refuses it with a wrong key: it checks the real algorithm.
func TestVerifierAcceptsTheOfficialSDK(t *testing.T) {
	g, srv := startGateway(t)
	u, _ := url.Parse(srv.URL)
	send := func(key string) error {
		cpf := profile.NewClientProfile()
		cpf.HttpProfile.Endpoint, cpf.HttpProfile.Scheme = u.Host, "HTTP"
		cpf.SignMethod = "TC3-HMAC-SHA256"
		c := common.NewCommonClient(common.NewCredential(tcID, key), "ap-guangzhou", cpf)
		req := tchttp.NewCommonRequest("sms", "2021-01-11", "SendSms")
		if err := req.SetActionParameters(map[string]any{"PhoneNumberSet": []string{"+8613800138000"}, "SmsSdkAppId": "1400000000",
			"SignName": "sign", "TemplateId": "100", "TemplateParamSet": []string{"123456"}}); err != nil {
			return err
		}
		return c.Send(req, tchttp.NewCommonResponse())
	}
	if err := send(tcKey); err != nil {
		t.Fatalf("the official SDK's request was refused: %v", err)
	}
	if err := send("wrong"); err == nil || !strings.Contains(err.Error(), "SignatureFailure") {
		t.Fatalf("a wrong key passed the verifier: %v", err)
	}
	if len(g.accepted) != 1 {
		t.Fatalf("accepted %d", len(g.accepted))
	}
}

// Our deliverer's requests pass the same verifier and carry the template id of
// the message's kind and language, the code as its parameter, the number
// with +86, and the outbox id as SessionContext.
func TestTencentSMSDelivers(t *testing.T) {
	g, srv := startGateway(t)
	d := &TencentSMS{SecretID: tcID, SecretKey: tcKey, AppID: "1400000000", SignName: "公共服务平台", Endpoint: srv.URL, Templates: allTemplates()}
	id, err := d.Deliver(context.Background(), smsMessage(42))
	if err != nil {
		t.Fatal(err)
	}
	if id != "serial-1" || len(g.accepted) != 1 {
		t.Fatalf("id %q accepted %d", id, len(g.accepted))
	}
	got, _ := json.Marshal(g.accepted[0])
	want := `{"PhoneNumberSet":["+8613800138000"],"SessionContext":"outbox-42","SignName":"公共服务平台","SmsSdkAppId":"1400000000","TemplateId":"200","TemplateParamSet":["123456"]}`
	if string(got) != want {
		t.Fatalf("request %s\nwant    %s", got, want)
	}
}

// A wrong secret is refused by the gateway and retried later (credentials
// can be fixed); a wrong parameter is permanent.
func TestTencentSMSErrors(t *testing.T) {
	g, srv := startGateway(t)
	d := &TencentSMS{SecretID: tcID, SecretKey: "wrong", AppID: "1", SignName: "s", Endpoint: srv.URL, Templates: allTemplates()}
	_, err := d.Deliver(context.Background(), smsMessage(1))
	var perm PermanentError
	if err == nil || errors.As(err, &perm) || errorClass(err) != "AuthFailure.SignatureFailure" {
		t.Fatalf("wrong key: %v (class %s)", err, errorClass(err))
	}
	d.SecretKey = tcKey
	g.refuse = "InvalidParameterValue.IncorrectPhoneNumber"
	_, err = d.Deliver(context.Background(), smsMessage(1))
	if !errors.As(err, &perm) {
		t.Fatalf("bad number: %v", err)
	}
	if _, err := ParseTemplates("register_code:zh-CN=1"); err == nil {
		t.Error("a template list missing most templates was accepted")
	}
}
