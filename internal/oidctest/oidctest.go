// Package oidctest runs a real OpenID provider in process for the tests of
// identity verification (issue 11): zitadel/oidc's pkg/op with the in-memory
// storage and sign-in page of its example server, wrapped only to add the
// claims a government identity service carries (the resident identity number
// and the name as written on the identity card). Only tests import it.
package oidctest

import (
	"context"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Person is someone the provider knows: Username and Password sign in on its
// page; Name and Number are the identity claims it asserts.
type Person struct {
	ID, Username, Password, Name, Number string
}

// users is the provider's user directory, by username.
type users map[string]Person

func (u users) user(p Person) *storage.User {
	return &storage.User{ID: p.ID, Username: p.Username, Password: p.Password, FirstName: p.Name, LastName: "-",
		PreferredLanguage: language.Chinese, EmailVerified: true}
}

func (u users) GetUserByID(id string) *storage.User {
	for _, p := range u {
		if p.ID == id {
			return u.user(p)
		}
	}
	return nil
}

func (u users) GetUserByUsername(name string) *storage.User {
	if p, ok := u[name]; ok {
		return u.user(p)
	}
	return nil
}

func (u users) ExampleClientID() string { return "service" }

// claimStorage adds the identity claims to what the example storage sets,
// both in the ID token and at the userinfo endpoint.
type claimStorage struct {
	*storage.Storage
	users users
}

func (s *claimStorage) addClaims(info *zoidc.UserInfo, subject string) {
	for _, p := range s.users {
		if p.ID == subject {
			info.Name = p.Name
			info.AppendClaims("id_number", p.Number)
		}
	}
}

func (s *claimStorage) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, token, scopes); err != nil {
		return err
	}
	s.addClaims(info, token.GetSubject())
	return nil
}

func (s *claimStorage) SetUserinfoFromToken(ctx context.Context, info *zoidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	s.addClaims(info, info.Subject)
	return nil
}

// Start registers a web client (clientID, secret, callback) with the
// provider, serves it on a loopback port until the test ends, and returns its
// issuer URL. The example storage keeps its clients in a package variable, so
// each portal under test should use its own client id.
func Start(t testing.TB, clientID, secret, callback string, people ...Person) string {
	t.Helper()
	storage.RegisterClients(storage.WebClient(clientID, secret, callback))
	u := users{}
	for _, p := range people {
		u[p.Username] = p
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, &claimStorage{Storage: storage.NewStorage(u), users: u}, nil, false))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}
