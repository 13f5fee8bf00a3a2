package s3blob

import (
	"strings"
	"testing"
)

// The object store URL names the bucket, prefix and endpoint; credentials
// come only from the environment, and a URL carrying them is refused (they
// would end up in command lines and logs).
func TestParseURL(t *testing.T) {
	env := func(k string) string {
		return map[string]string{EnvAccessKey: "AK", EnvSecretKey: "SK"}[k]
	}
	noEnv := func(string) string { return "" }
	for _, c := range []struct {
		url    string
		getenv func(string) string
		want   Config
		err    string
	}{
		{"s3://docs?endpoint=oss.example.cn:443", env, Config{Endpoint: "oss.example.cn:443", Bucket: "docs", Secure: true, AccessKey: "AK", SecretKey: "SK"}, ""},
		{"s3://docs/portal-a/?endpoint=127.0.0.1:8333&insecure=1&region=cn-north-1", env,
			Config{Endpoint: "127.0.0.1:8333", Bucket: "docs", Prefix: "portal-a/", Region: "cn-north-1", AccessKey: "AK", SecretKey: "SK"}, ""},
		{"s3://AK:SK@docs?endpoint=h:1", env, Config{}, "not in the URL"},
		{"s3://docs?endpoint=h:1", noEnv, Config{}, EnvAccessKey},
		{"s3://docs", env, Config{}, "endpoint"},
		{"s3://?endpoint=h:1", env, Config{}, "no bucket"},
		{"s3://docs/prefix?endpoint=h:1", env, Config{}, "end in /"},
		{"s3://docs?endpoint=h:1&secret=x", env, Config{}, "unknown"},
		{"s3://docs?endpoint=h:1&insecure=maybe", env, Config{}, "boolean"},
		{"http://docs?endpoint=h:1", env, Config{}, "scheme"},
	} {
		got, err := ParseURL(c.url, c.getenv)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want an error about %q", c.url, err, c.err)
			}
			if err != nil && (strings.Contains(err.Error(), "SK")) {
				t.Errorf("%s: the error shows the secret: %v", c.url, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}
