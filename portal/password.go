package portal

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits, counted in characters (runes) so that a Chinese
// passphrase is measured as a person reads it. The upper limit only stops
// absurd input; any length up to it is welcome.
const (
	MinPasswordRunes = 10
	MaxPasswordRunes = 128
)

// commonPasswordsText is the list of passwords too common to accept; see the
// header of the file for its source and licence.
//
//go:embed commonpasswords.txt
var commonPasswordsText string

// commonPasswords is the list as a sorted slice of substrings of the embedded
// text, built on first use: a slice shares the text's memory where a map would
// copy forty thousand keys, and binary search is fast enough for a login form.
var commonPasswords = sync.OnceValue(func() []string {
	lines := strings.Split(commonPasswordsText, "\n")
	list := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		list = append(list, strings.ToLower(l))
	}
	slices.Sort(list)
	return slices.Compact(list)
})

// CheckPasswordPolicy checks a new password against the rules that follow
// current advice (NIST SP 800-63B): long enough, not absurdly long, and not one
// that attackers try first. There are deliberately no composition rules (a
// digit, a capital, a symbol): they push people towards Password1! and do not
// make passwords harder to guess.
//
// The error is an invalid *Error with key password.too_short,
// password.too_long or password.common.
func CheckPasswordPolicy(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordRunes:
		return Invalid("password.too_short")
	case n > MaxPasswordRunes:
		return Invalid("password.too_long")
	case isOneRuneRepeated(pw) || isCommonPassword(pw):
		return Invalid("password.common")
	}
	return nil
}

// isCommonPassword reports whether pw, ignoring case, is on the embedded list.
func isCommonPassword(pw string) bool {
	_, found := slices.BinarySearch(commonPasswords(), strings.ToLower(pw))
	return found
}

// isOneRuneRepeated reports whether pw is a single character typed over and
// over (aaaaaaaaaa, 0000000000), which no list can enumerate at every length.
func isOneRuneRepeated(pw string) bool {
	first, size := utf8.DecodeRuneInString(pw)
	for _, r := range pw[size:] {
		if r != first {
			return false
		}
	}
	return true
}

// Argon2Params are the cost parameters of Argon2id (RFC 9106). Memory is in
// KiB. They are stored in every hash, so changing them later only affects new
// hashes, and old ones are upgraded at the next successful sign-in.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	KeyLen  uint32 // bytes of derived key
	SaltLen uint32 // bytes of random salt
}

// DefaultArgon2 is what the portal uses: 64 MiB and three passes, the memory
// and time of the second recommended option of RFC 9106 section 4, with one lane
// because concurrent sign-ins already keep every core busy.
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 1, KeyLen: 32, SaltLen: 16}

// MinimumArgon2 is the floor below which NewPasswordHasher will not go, the
// OWASP Password Storage Cheat Sheet's minimum for Argon2id (19 MiB, two
// passes), so that a mistaken configuration cannot make hashes cheap to crack.
var MinimumArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Limits on what a stored hash may ask for. Verify takes its parameters from
// the hash, so without limits a corrupted or planted hash could ask for
// terabytes of memory or hours of work.
const (
	maxArgon2Memory  = 1024 * 1024 // KiB, 1 GiB
	maxArgon2Time    = 64
	minArgon2SaltLen = 8 // RFC 9106's minimum
	maxArgon2SaltLen = 64
	minArgon2KeyLen  = 16
	maxArgon2KeyLen  = 128
)

// hashSlots bounds how many Argon2 computations run at once in the whole
// process. Each one holds Memory KiB for its duration, so a burst of sign-ins
// without a bound could exhaust memory; with it, extra requests queue for a
// slot instead. It is shared by all hashers because memory is the process's,
// not a hasher's.
var hashSlots = make(chan struct{}, runtime.NumCPU())

// PasswordHasher hashes and verifies passwords with Argon2id in the PHC string
// format. It is safe for concurrent use.
type PasswordHasher struct {
	params Argon2Params
	// dummySalt and dummyKey give DummyVerify something to derive and compare
	// against, so that it costs exactly what a real verification costs.
	dummySalt []byte
	dummyKey  []byte
	// derivations counts Argon2 computations, so that a test can show that
	// two answers cost the same work (registration enumeration).
	derivations atomic.Uint64
}

// Derivations is how many Argon2 computations this hasher has run.
func (h *PasswordHasher) Derivations() uint64 { return h.derivations.Load() }

// NewPasswordHasher returns a hasher with the given parameters, each raised to
// MinimumArgon2 where it falls below it.
func NewPasswordHasher(p Argon2Params) *PasswordHasher {
	m := MinimumArgon2
	p.Memory = max(p.Memory, m.Memory)
	p.Time = max(p.Time, m.Time)
	p.Threads = max(p.Threads, m.Threads)
	p.KeyLen = max(p.KeyLen, m.KeyLen)
	p.SaltLen = max(p.SaltLen, m.SaltLen)
	return newPasswordHasherUnchecked(p)
}

// newPasswordHasherUnchecked skips the floor, so that tests can hash with tiny
// parameters and stay fast. Production code must use NewPasswordHasher.
func newPasswordHasherUnchecked(p Argon2Params) *PasswordHasher {
	return &PasswordHasher{
		params:    p,
		dummySalt: randomBytes(p.SaltLen),
		dummyKey:  randomBytes(p.KeyLen),
	}
}

// Params returns the parameters new hashes are made with, after the floor.
func (h *PasswordHasher) Params() Argon2Params { return h.params }

// Hash derives a new salted hash of pw and returns it as a PHC string,
// $argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>, with salt and hash in standard
// base64 without padding: the format every Argon2 library reads, which keeps
// the stored hashes portable.
func (h *PasswordHasher) Hash(pw string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password hash: read salt: %w", err)
	}
	key := h.derive(pw, salt, h.params)
	return phc{params: h.params, salt: salt, key: key}.String(), nil
}

// Verify reports whether pw matches the encoded hash, computed with the
// parameters stored in the hash, and whether the hash should be replaced
// because those parameters are weaker than the hasher's (needsRehash is only
// ever true together with ok, when the caller has the password to rehash).
// A malformed hash is an internal error: it cannot come from the user.
func (h *PasswordHasher) Verify(pw, encoded string) (ok bool, needsRehash bool, err error) {
	stored, err := parsePHC(encoded)
	if err != nil {
		return false, false, Internal(err)
	}
	key := h.derive(pw, stored.salt, stored.params)
	if subtle.ConstantTimeCompare(key, stored.key) != 1 {
		return false, false, nil
	}
	return true, stored.params.weakerThan(h.params), nil
}

// DummyVerify spends the time and memory of a real Verify against a hash made
// with the hasher's parameters, and reports nothing. Sign-in calls it when no
// account has the given login, so that the answer takes as long as for a real
// account with a wrong password and timing does not tell an attacker which
// mobile numbers are registered.
func (h *PasswordHasher) DummyVerify(pw string) {
	key := h.derive(pw, h.dummySalt, h.params)
	subtle.ConstantTimeCompare(key, h.dummyKey)
}

// derive runs Argon2id once a slot is free.
func (h *PasswordHasher) derive(pw string, salt []byte, p Argon2Params) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	h.derivations.Add(1)
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// weakerThan reports whether any cost parameter of p is below that of q.
// The salt length counts too: a short salt is as much a reason to rehash.
func (p Argon2Params) weakerThan(q Argon2Params) bool {
	return p.Memory < q.Memory || p.Time < q.Time || p.Threads < q.Threads ||
		p.KeyLen < q.KeyLen || p.SaltLen < q.SaltLen
}

// errMalformedHash is the cause of every parse failure of a stored hash.
var errMalformedHash = errors.New("malformed argon2id hash")

// phc is a parsed Argon2id PHC string.
type phc struct {
	params Argon2Params
	salt   []byte
	key    []byte
}

// String formats the hash in the one canonical form that parsePHC accepts.
func (x phc) String() string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		x.params.Memory, x.params.Time, x.params.Threads, b64.EncodeToString(x.salt), b64.EncodeToString(x.key))
}

// parsePHC reads $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>.
// Only the canonical form that Hash writes is accepted (no padding, no leading
// zeros, fields in this order), and every number must be within the limits
// above, so that anything parsed is safe to compute and formats back to
// exactly the same string.
func parsePHC(s string) (phc, error) {
	fail := func(what string) (phc, error) {
		return phc{}, fmt.Errorf("password hash: %s: %w", what, errMalformedHash)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("not six $-separated fields")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("unsupported version")
	}
	var x phc
	var ok bool
	params, rest := parts[3], ""
	var m, t, p uint64
	if m, rest, ok = phcNumber(params, "m=", ",", 32); !ok {
		return fail("bad memory")
	}
	if t, rest, ok = phcNumber(rest, "t=", ",", 32); !ok {
		return fail("bad time")
	}
	if p, rest, ok = phcNumber(rest, "p=", "", 8); !ok || rest != "" {
		return fail("bad parallelism")
	}
	if p < 1 || p > math.MaxUint8 || t < 1 || t > maxArgon2Time || m < 8*p || m > maxArgon2Memory {
		return fail("parameters out of range")
	}
	// Converted only once checked, so that no value is ever truncated.
	x.params.Memory, x.params.Time, x.params.Threads = uint32(m), uint32(t), uint8(p)
	if x.salt, ok = phcBase64(parts[4]); !ok || len(x.salt) < minArgon2SaltLen || len(x.salt) > maxArgon2SaltLen {
		return fail("bad salt")
	}
	if x.key, ok = phcBase64(parts[5]); !ok || len(x.key) < minArgon2KeyLen || len(x.key) > maxArgon2KeyLen {
		return fail("bad hash")
	}
	x.params.SaltLen, x.params.KeyLen = uint32(len(x.salt)), uint32(len(x.key)) // #nosec G115 -- at most maxArgon2SaltLen and maxArgon2KeyLen, checked above
	return x, nil
}

// phcNumber reads prefix, a canonical decimal number of at most bits bits, and
// the separator sep (none when sep is empty, then the number runs to the end),
// and returns the number and what follows.
func phcNumber(s, prefix, sep string, bits int) (n uint64, rest string, ok bool) {
	s, found := strings.CutPrefix(s, prefix)
	if !found {
		return 0, "", false
	}
	digits := s
	if sep != "" {
		if digits, rest, found = strings.Cut(s, sep); !found {
			return 0, "", false
		}
	}
	n, err := strconv.ParseUint(digits, 10, bits)
	if err != nil || strconv.FormatUint(n, 10) != digits {
		return 0, "", false
	}
	return n, rest, true
}

// phcBase64 decodes unpadded standard base64, refusing any other spelling of the
// same bytes (the decoder would otherwise skip newlines and ignore stray bits).
func phcBase64(s string) ([]byte, bool) {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || base64.RawStdEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// randomBytes returns n bytes from the system's secure random source, which
// never fails on supported systems (crypto/rand.Read crashes the program
// rather than return an error).
func randomBytes(n uint32) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
