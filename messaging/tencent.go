package messaging

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sealportal/portal"
	"sealportal/store"
)

// TencentSMS sends SMS through Tencent Cloud SMS (API version 2021-01-11,
// action SendSms), signing each request with TC3-HMAC-SHA256 as Tencent
// Cloud's API documentation describes. Mainland China SMS gateways send only
// pre-approved templates with parameters, not free text, so each of our
// templates (kind and language) maps to a template id approved in the
// console with the same wording (portal.OutboundText); the parameter (a code,
// a reference suffix) goes in TemplateParamSet.
//
// Deduplication: SendSms has no idempotency key, so when the process dies
// after the gateway accepted a message and before the outbox recorded it,
// the message is sent again on restart (at least once). SessionContext
// carries the outbox id so that the gateway's delivery reports can be
// matched.
type TencentSMS struct {
	SecretID  string
	SecretKey string
	AppID     string // SmsSdkAppId
	SignName  string // the approved signature, e.g. 公共服务平台
	Region    string // default ap-guangzhou
	// Endpoint is the API's base URL (default https://sms.tencentcloudapi.com).
	Endpoint string
	// Templates maps "kind:lang" (e.g. "register_code:zh-CN") to a template id.
	Templates map[string]string
	Client    *http.Client
	Now       func() time.Time
}

const (
	tcService = "sms"
	tcVersion = "2021-01-11"
	tcAction  = "SendSms"
)

// ParseTemplates reads "kind:lang=id,kind:lang=id,..." (the -sms-templates
// flag); every template in both languages must have an id.
func ParseTemplates(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("sms templates: %q is not kind:lang=id", part)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	var missing []string
	for _, k := range portal.OutboundKinds() {
		for _, l := range []string{portal.LangZH, portal.LangEN} {
			if out[string(k)+":"+l] == "" {
				missing = append(missing, string(k)+":"+l)
			}
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sms templates: no template id for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

type tcRequest struct {
	PhoneNumberSet   []string `json:"PhoneNumberSet"`
	SmsSdkAppID      string   `json:"SmsSdkAppId"`
	SignName         string   `json:"SignName"`
	TemplateID       string   `json:"TemplateId"`
	TemplateParamSet []string `json:"TemplateParamSet,omitempty"`
	SessionContext   string   `json:"SessionContext"`
}

type tcResponse struct {
	Response struct {
		Error *struct {
			Code    string `json:"Code"`
			Message string `json:"Message"`
		} `json:"Error"`
		SendStatusSet []struct {
			SerialNo string `json:"SerialNo"`
			Code     string `json:"Code"`
			Message  string `json:"Message"`
		} `json:"SendStatusSet"`
		RequestID string `json:"RequestId"`
	} `json:"Response"`
}

// Deliver sends one SMS.
func (t *TencentSMS) Deliver(ctx context.Context, m store.OutboxMessage) (string, error) {
	tpl := t.Templates[string(m.Kind)+":"+portal.NormalizeLang(m.Lang)]
	if tpl == "" {
		return "", Permanent(fmt.Errorf("no template id for %s", m.Kind))
	}
	req := tcRequest{PhoneNumberSet: []string{"+86" + m.To}, SmsSdkAppID: t.AppID, SignName: t.SignName,
		TemplateID: tpl, SessionContext: "outbox-" + strconv.FormatUint(m.ID, 10)}
	if m.Param != "" {
		req.TemplateParamSet = []string{m.Param}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", Permanent(err)
	}
	endpoint := t.Endpoint
	if endpoint == "" {
		endpoint = "https://sms.tencentcloudapi.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", Permanent(err)
	}
	region := t.Region
	if region == "" {
		region = "ap-guangzhou"
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	ts := now().Unix()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", Permanent(err)
	}
	const ctype = "application/json; charset=utf-8"
	hr.Header.Set("Content-Type", ctype)
	hr.Header.Set("X-TC-Action", tcAction)
	hr.Header.Set("X-TC-Version", tcVersion)
	hr.Header.Set("X-TC-Region", region)
	hr.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	hr.Header.Set("Authorization", TC3Authorization(t.SecretID, t.SecretKey, tcService, u.Host, ctype, body, ts))
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(hr)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode >= 500 {
		return "", GatewayError{Code: "http_" + strconv.Itoa(resp.StatusCode), Message: "server error"}
	}
	var r tcResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", GatewayError{Code: "bad_response", Message: err.Error()}
	}
	if e := r.Response.Error; e != nil {
		g := GatewayError{Code: e.Code, Message: "refused"}
		// Wrong parameters or an unknown template will not heal by waiting;
		// rate limits, internal errors and credentials being fixed may.
		if strings.HasPrefix(e.Code, "InvalidParameter") || strings.HasPrefix(e.Code, "UnsupportedOperation") ||
			strings.HasPrefix(e.Code, "MissingParameter") {
			return "", Permanent(g)
		}
		return "", g
	}
	if len(r.Response.SendStatusSet) != 1 {
		return "", GatewayError{Code: "bad_response", Message: "no send status"}
	}
	st := r.Response.SendStatusSet[0]
	if !strings.EqualFold(st.Code, "Ok") {
		g := GatewayError{Code: st.Code, Message: "refused"}
		if strings.HasPrefix(st.Code, "InvalidParameter") || strings.HasPrefix(st.Code, "FailedOperation.PhoneNumber") {
			return "", Permanent(g)
		}
		return "", g
	}
	return st.SerialNo, nil
}

// TC3Authorization is the Authorization header of a Tencent Cloud API v3
// request (TC3-HMAC-SHA256): a canonical request of the signed headers
// content-type and host and the payload's SHA-256, signed with a
// key derived from the secret key, the UTC date and the service.
func TC3Authorization(secretID, secretKey, service, host, contentType string, payload []byte, ts int64) string {
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	signed := "content-type;host"
	canonical := strings.Join([]string{
		http.MethodPost, "/", "",
		"content-type:" + contentType + "\nhost:" + host + "\n",
		signed, sha256hex(payload)}, "\n")
	scope := date + "/" + service + "/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(ts, 10) + "\n" + scope + "\n" + sha256hex([]byte(canonical))
	k := hmacSHA256([]byte("TC3"+secretKey), date)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "tc3_request")
	sig := hex.EncodeToString(hmacSHA256(k, toSign))
	return "TC3-HMAC-SHA256 Credential=" + secretID + "/" + scope + ", SignedHeaders=" + signed + ", Signature=" + sig
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
