package portal

import "time"

// CodeStepUp classifies the refusal of a sealed read to a session whose
// second factor is not recent enough: the edge asks for the code again.
const CodeStepUp Code = "step_up"

// StepUpRequired is the refusal of a sealed read without a fresh second
// factor.
func StepUpRequired() *Error { return &Error{Code: CodeStepUp, Key: "totp.stepup_intro"} }

// FreshFactor is the proof, required by every store call that returns the
// contents of a sealed record to an official, a supervisor or a querying
// unit (R17), that the account's holder passed the second factor within
// StepUpAge. Only the session layer mints it (handlers' freshFactor, from
// the time the session last passed the code, kept server-side); the store
// checks it against the reader and its own clock at the moment of the read,
// so no route, method or error path can show a sealed record without it.
// The zero value proves nothing.
type FreshFactor struct {
	account uint64
	passed  time.Time
}

// ProveFreshFactor records that account's session passed its second factor
// at passed (the zero time when it never did). It is called by the session
// layer only (a test checks).
func ProveFreshFactor(account uint64, passed time.Time) FreshFactor {
	return FreshFactor{account: account, passed: passed}
}

// Check answers nil when the proof lets reader read a sealed record at now,
// and StepUpRequired otherwise. An account without a second factor has
// nothing to step up with; the route guard makes every official and unit
// enrol one before anything else, so only such accounts pass without it.
func (f FreshFactor) Check(reader Account, now time.Time) error {
	if !reader.TOTPEnabled {
		return nil
	}
	if f.account == 0 || f.account != reader.ID || f.passed.IsZero() || f.passed.After(now.Add(time.Minute)) ||
		now.Sub(f.passed) > StepUpAge {
		return StepUpRequired()
	}
	return nil
}
