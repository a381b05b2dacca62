package idpadmin

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a management API call that failed: which step, the HTTP status,
// the IdP's error code and message (sanitized) and what to do. It never
// contains a secret or token.
type Error struct {
	// Op is the step: "find", "list", "credentials", "identify", "mint",
	// "revoke", "token" (getting the management token).
	Op     string
	Status int // HTTP status; 0 = no answer
	// Code is the IdP's error code: Graph error.code
	// (Authorization_RequestDenied …), Okta errorCode (E0000006 …),
	// Keycloak / RFC 7591 error, or one of the Code* constants below.
	Code    string
	Message string // the IdP's (sanitized) or our description
	Advice  string // what to do: which permission, role or scope to grant
	// Err is the underlying cause (network error, token source); may be nil.
	Err error
}

// Codes of errors this package makes itself.
const (
	CodeNotFound     = "not_found"     // the app or credential does not exist (or is not visible)
	CodeSecretKept   = "secret_kept"   // RFC 7592: the IdP kept the secret on update
	CodeUnidentified = "unidentified"  // Identify could not tell which credential the secret is
	CodeLimit        = "secret_limit"  // the app already has as many secrets as the IdP allows
	CodeBadAnswer    = "bad_answer"    // the IdP's answer could not be read
	CodeNetwork      = "network"       // no answer
	CodeUnsupported  = "not_supported" // the API cannot do this
)

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", opLabel(e.Op))
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	}
	if e.Code != "" {
		if e.Status != 0 {
			b.WriteString(" ")
		}
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		if e.Status != 0 || e.Code != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Message)
	}
	if e.Advice != "" {
		b.WriteString(" (" + e.Advice + ")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func opLabel(op string) string {
	switch op {
	case "find":
		return "finding the app at the IdP"
	case "list":
		return "listing the IdP's apps"
	case "credentials":
		return "reading the app's secrets"
	case "identify":
		return "identifying the secret at the IdP"
	case "mint":
		return "creating a new secret at the IdP"
	case "revoke":
		return "revoking the secret at the IdP"
	case "token":
		return "getting the management token"
	}
	return op
}

// IsNotFound reports whether err says the app or credential does not exist.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == CodeNotFound || e.Status == 404)
}

// IsDenied reports whether the IdP refused the management token's rights
// (HTTP 401/403): the advice names the permission to grant.
func IsDenied(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == 401 || e.Status == 403)
}

func asError(err error, e **Error) bool { return errors.As(err, e) }
