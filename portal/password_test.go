package portal

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testArgon2 is far below the floor so that tests hash in well under a
// millisecond; only newPasswordHasherUnchecked accepts it.
var testArgon2 = Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, pw, key string // key "" means accepted
	}{
		{"empty", "", "password.too_short"},
		{"nine characters", "kx7-pq2zv", "password.too_short"},
		{"ten characters", "kx7-pq2zvw", ""},
		{"ten Chinese characters", "我的密码是春天的小河", ""},
		{"nine Chinese characters are 27 bytes but too short", "我的密码是春天的小", "password.too_short"},
		{"128 characters", strings.Repeat("ab", 64), ""},
		{"129 characters", strings.Repeat("ab", 64) + "c", "password.too_long"},
		{"129 Chinese characters", strings.Repeat("密", 128) + "码", "password.too_long"},
		{"common, from the source list", "qwertyuiop", "password.common"},
		{"common, digits", "1234567890", "password.common"},
		{"common, mixed case", "PassWord123", "password.common"},
		{"common, pinyin supplement", "woaini1314", "password.common"},
		{"common, surname supplement", "Zhang123456", "password.common"},
		{"one character repeated", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "password.common"},
		{"one Chinese character repeated", strings.Repeat("密", 12), "password.common"},
		{"one space repeated", strings.Repeat(" ", 10), "password.common"},
		{"two characters alternating", "abababababab", ""},
		{"comment marker is not a password", "# common passwords", ""},
		{"passphrase", "correct horse battery staple", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordPolicy(tt.pw)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("CheckPasswordPolicy(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Code != CodeInvalid || e.Key != tt.key {
				t.Fatalf("CheckPasswordPolicy(%q) = %v, want invalid %s", tt.pw, err, tt.key)
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	list := commonPasswords()
	if len(list) < 40000 {
		t.Fatalf("common password list has %d entries, want the whole source list", len(list))
	}
	for _, pw := range list {
		if pw != strings.ToLower(pw) || pw != strings.TrimSpace(pw) || strings.HasPrefix(pw, "#") {
			t.Fatalf("entry %q is not lower-case, trimmed and comment-free", pw)
		}
	}
	if !strings.HasPrefix(commonPasswordsText, "# ") {
		t.Error("the list lost its header naming source and licence")
	}
}

func TestPasswordHashVerify(t *testing.T) {
	h := newPasswordHasherUnchecked(testArgon2)
	const pw = "correct horse battery staple"
	encoded, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("Hash() = %q, want the PHC form with the hasher's parameters", encoded)
	}
	again, _ := h.Hash(pw)
	if again == encoded {
		t.Error("two hashes of one password are equal: the salt is not random")
	}

	tests := []struct {
		name, pw, encoded string
		ok                bool
	}{
		{"right password", pw, encoded, true},
		{"wrong password", "correct horse battery stapler", encoded, false},
		{"case matters", strings.ToUpper(pw), encoded, false},
		{"empty password", "", encoded, false},
		{"other hash of the same password", pw, again, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(tt.pw, tt.encoded)
			if err != nil || ok != tt.ok || rehash {
				t.Fatalf("Verify() = %v, %v, %v; want %v, false, nil", ok, rehash, err, tt.ok)
			}
		})
	}
}

func TestPasswordVerifyMalformed(t *testing.T) {
	h := newPasswordHasherUnchecked(testArgon2)
	encoded, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(encoded, "$")
	salt, key := parts[4], parts[5]
	flipped := []byte(key)
	// A different key that is still valid base64 (flipping a bit could give
	// '*' or '.' and make the test flaky).
	if flipped[0] == 'A' {
		flipped[0] = 'B'
	} else {
		flipped[0] = 'A'
	}
	tests := []struct {
		name, encoded string
	}{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"parameters reordered", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key},
		{"plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero lanes", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"lanes beyond 8 bits", "$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key},
		{"memory below 8 per lane", "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + key},
		{"memory beyond the limit", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"time beyond the limit", "$argon2id$v=19$m=64,t=1000000,p=1$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"salt with newline", "$argon2id$v=19$m=64,t=1,p=1$" + salt[:4] + "\n" + salt[4:] + "$" + key},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt[:len(salt)-1] + "!$" + key},
		{"salt too short", "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAA$" + key},
		{"hash truncated", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:8]},
		{"extra field", encoded + "$"},
		{"trailing space", encoded + " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify("correct horse battery staple", tt.encoded)
			if ok || rehash || ErrorCode(err) != CodeInternal || !errors.Is(err, errMalformedHash) {
				t.Fatalf("Verify(%q) = %v, %v, %v; want an internal malformed-hash error", tt.encoded, ok, rehash, err)
			}
		})
	}
	// A well-formed hash whose bytes were corrupted is simply a mismatch.
	corrupted := strings.Join(append(parts[:5:5], string(flipped)), "$")
	ok, _, err := h.Verify("correct horse battery staple", corrupted)
	if ok || err != nil {
		t.Fatalf("Verify(corrupted) = %v, %v; want false, nil", ok, err)
	}
}

func TestPasswordNeedsRehash(t *testing.T) {
	old := newPasswordHasherUnchecked(testArgon2)
	const pw = "correct horse battery staple"
	encoded, err := old.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(p *Argon2Params)
		rehash bool
	}{
		{"same parameters", func(p *Argon2Params) {}, false},
		{"more memory", func(p *Argon2Params) { p.Memory *= 2 }, true},
		{"more time", func(p *Argon2Params) { p.Time++ }, true},
		{"more lanes", func(p *Argon2Params) { p.Threads++ }, true},
		{"longer key", func(p *Argon2Params) { p.KeyLen = 64 }, true},
		{"longer salt", func(p *Argon2Params) { p.SaltLen = 32 }, true},
		{"less memory", func(p *Argon2Params) { p.Memory /= 2 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testArgon2
			tt.change(&p)
			ok, rehash, err := newPasswordHasherUnchecked(p).Verify(pw, encoded)
			if err != nil || !ok || rehash != tt.rehash {
				t.Fatalf("Verify() = %v, %v, %v; want true, %v, nil", ok, rehash, err, tt.rehash)
			}
			// The wrong password never asks for a rehash: there is nothing to rehash with.
			if ok, rehash, _ := newPasswordHasherUnchecked(p).Verify("wrong password!", encoded); ok || rehash {
				t.Fatalf("Verify(wrong) = %v, %v", ok, rehash)
			}
		})
	}
}

func TestNewPasswordHasherEnforcesFloor(t *testing.T) {
	tests := []struct {
		name string
		in   Argon2Params
		want Argon2Params
	}{
		{"zero raised to the floor", Argon2Params{}, MinimumArgon2},
		{"cheap raised to the floor", testArgon2, MinimumArgon2},
		{"only what is low is raised", Argon2Params{Memory: 1 << 20, Time: 1, Threads: 4, KeyLen: 16, SaltLen: 32},
			Argon2Params{Memory: 1 << 20, Time: MinimumArgon2.Time, Threads: 4, KeyLen: MinimumArgon2.KeyLen, SaltLen: 32}},
		{"default kept", DefaultArgon2, DefaultArgon2},
	}
	for _, tt := range tests {
		if got := NewPasswordHasher(tt.in).Params(); got != tt.want {
			t.Errorf("%s: NewPasswordHasher(%+v).Params() = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
	// One real hash at the floor proves the parameters reach the encoding, and
	// that a hash made by a test hasher is upgraded by a production one.
	h := NewPasswordHasher(Argon2Params{})
	encoded, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash() at the floor = %q", encoded)
	}
	cheap, _ := newPasswordHasherUnchecked(testArgon2).Hash("correct horse battery staple")
	if ok, rehash, err := h.Verify("correct horse battery staple", cheap); !ok || !rehash || err != nil {
		t.Errorf("Verify(cheap hash) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
}

func TestHashingWaitsForASlot(t *testing.T) {
	// Hash, Verify and DummyVerify share one bound on concurrent Argon2 runs.
	// With every slot taken each must wait, and finish once one frees. This
	// also shows that DummyVerify does the work of a real verification, which
	// a timing test could only show flakily.
	h := newPasswordHasherUnchecked(testArgon2)
	encoded, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   func()
	}{
		{"Hash", func() { h.Hash("correct horse battery staple") }},
		{"Verify", func() { h.Verify("correct horse battery staple", encoded) }},
		{"DummyVerify", func() { h.DummyVerify("no such account") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range cap(hashSlots) {
				hashSlots <- struct{}{}
			}
			done := make(chan struct{})
			go func() {
				tt.op()
				close(done)
			}()
			select {
			case <-done:
				t.Error("finished while every hash slot was taken")
			case <-time.After(50 * time.Millisecond):
			}
			<-hashSlots
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("did not finish once a slot was free")
			}
			for range cap(hashSlots) - 1 {
				<-hashSlots
			}
		})
	}
}

func FuzzParsePHC(f *testing.F) {
	h := newPasswordHasherUnchecked(testArgon2)
	valid, err := h.Hash("correct horse battery staple")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		valid, "", "$", "$$$$$", "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=,t=,p=$$", "$argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := parsePHC(s)
		if err != nil {
			if !errors.Is(err, errMalformedHash) {
				t.Fatalf("parsePHC(%q): error %v does not wrap errMalformedHash", s, err)
			}
			return
		}
		if got := x.String(); got != s {
			t.Fatalf("parsePHC(%q) formats back as %q", s, got)
		}
		p := x.params
		if p.Memory > maxArgon2Memory || p.Time > maxArgon2Time || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) {
			t.Fatalf("parsePHC(%q) accepted unsafe parameters %+v", s, p)
		}
	})
}

// BenchmarkHashDefault measures one hash with the production parameters, the
// cost every sign-in pays.
func BenchmarkHashDefault(b *testing.B) {
	h := NewPasswordHasher(DefaultArgon2)
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
