package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// publicURL is the canonical address of the portal that certificates print
// (their "verify at" address and QR code): the configured -public-url, or
// for local use one made from the listen address. It is never taken from a
// request, whose Host header the client chooses.
//
// "Production" is a listen address other than loopback (":8080" or
// "0.0.0.0:8080" listen on every interface, so others can reach the portal):
// there -public-url is required, since a guessed address on a certificate
// would send its readers to the wrong site. On loopback (the default,
// 127.0.0.1:8080) the address defaults to http://localhost:<port>.
func (c config) publicURL() (string, error) {
	if c.publicBase != "" {
		return checkPublicURL(c.publicBase)
	}
	host, port, err := net.SplitHostPort(c.addr)
	if err != nil {
		return "", fmt.Errorf("-addr %q: %w", c.addr, err)
	}
	if !loopbackListen(host) {
		return "", fmt.Errorf("-public-url (PORTAL_PUBLIC_URL) is required when listening on %q, which is not loopback: "+
			"certificates print it as their verification address, e.g. -public-url https://portal.example.gov.cn", c.addr)
	}
	return "http://localhost:" + port, nil
}

func loopbackListen(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkPublicURL accepts an absolute http(s) address with a host and at most
// a path, and returns it without a trailing slash.
func checkPublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, " \t\r\n\\") {
		return "", fmt.Errorf("-public-url %q must be an absolute http or https address such as https://portal.example.gov.cn", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}
