package handlers

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestCertificateVerifyAddressIgnoresForgedHost is issue 13 finding 5 as the
// holder would try it: he asks for his genuine certificate with a Host header
// (and forwarding headers) naming his own fake verification site. The printed
// address and the QR code still name the configured canonical address.
func TestCertificateVerifyAddressIgnoresForgedHost(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	w.completed("(2024)甲刑初字第7号")
	me := w.signIn(w.minor, "en")
	id := certLastID(t, certRequest(t, me, "self", w.police).wantPath(t, "/certificates"))
	w.signIn(w.officer, "en").submit("/staff/certificates", "/staff/certificates/"+id+"/issue", nil).wantPath(t, "/staff/certificates")

	wantURL := testPublicURL + "/verify"
	wantQR, err := qrDataURL(wantURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, forged := range []string{"verify-gov.example", "evil.example:443", "localhost"} {
		req, err := http.NewRequest(http.MethodGet, w.srv.URL+"/certificates/"+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = forged
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "http")
		for name, v := range me.cookies {
			req.AddCookie(&http.Cookie{Name: name, Value: v})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Host %s: status %d", forged, resp.StatusCode)
		}
		if !strings.Contains(body, wantURL) {
			t.Fatalf("Host %s: the certificate does not name %s", forged, wantURL)
		}
		if strings.Contains(body, "evil.example") || strings.Contains(body, forged+"/verify") {
			t.Fatalf("Host %s: the certificate names the forged host", forged)
		}
		if !strings.Contains(body, `src="`+string(wantQR)+`"`) {
			t.Fatalf("Host %s: the QR code does not encode %s", forged, wantURL)
		}
	}
}
