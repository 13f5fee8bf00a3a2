// Package portal is the domain of the Sealing Portal: the types, the rules of law
// (cited by their ids from shared/DOMAIN.md), the state machines and the deadline
// arithmetic. It knows nothing of HTTP, templates or storage.
package portal

import (
	"errors"
	"fmt"
	"sort"
)

// Code classifies an Error so that the edge can map it to a status without
// parsing messages.
type Code string

// The error codes. Handlers map them to HTTP statuses; views translate Key.
const (
	CodeInvalid   Code = "invalid"
	CodeNotFound  Code = "not_found"
	CodeConflict  Code = "conflict"
	CodeForbidden Code = "forbidden"
	CodeInternal  Code = "internal"
)

// Error is the one error type of the domain. Key is a message-catalogue key
// (translated by views); Fields maps a form field name to the message key of its
// own problem, for per-field messages on a re-rendered form.
type Error struct {
	Code   Code
	Key    string
	Fields map[string]string
	Err    error // the cause, for logs; never shown to a user
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Key
	if len(e.Fields) > 0 {
		names := make([]string, 0, len(e.Fields))
		for f := range e.Fields {
			names = append(names, f)
		}
		sort.Strings(names)
		msg += fmt.Sprintf(" %v", names)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid returns an invalid-input error with the given message key.
func Invalid(key string) *Error { return &Error{Code: CodeInvalid, Key: key} }

// NotFound is the answer for unknown ids and for records the caller may not see:
// the two are deliberately indistinguishable.
func NotFound() *Error { return &Error{Code: CodeNotFound, Key: "error.not_found"} }

// Forbidden returns a forbidden error with the given message key.
func Forbidden(key string) *Error { return &Error{Code: CodeForbidden, Key: key} }

// Conflict returns a conflict error with the given message key.
func Conflict(key string) *Error { return &Error{Code: CodeConflict, Key: key} }

// Internal wraps an unexpected failure; users see only a generic message.
func Internal(err error) *Error { return &Error{Code: CodeInternal, Key: "error.internal", Err: err} }

// FieldErrors collects per-field problems of one form. The zero value is ready.
type FieldErrors map[string]string

// Add records the message key for a field, keeping the first problem found.
func (f *FieldErrors) Add(field, key string) {
	if *f == nil {
		*f = FieldErrors{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = key
	}
}

// Err returns nil when there is no problem, else an invalid Error carrying them.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Key: "error.form_invalid", Fields: f}
}

// ErrorCode returns the code of err, CodeInternal for foreign errors.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsError returns err as *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
