package apicall

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Step-up authentication (RFC 9470): an API that wants a stronger or a
// more recent sign-in answers 401 with
//   WWW-Authenticate: Bearer error="insufficient_user_authentication",
//     acr_values="…", max_age=N
// and the client logs the user in again with those values.

// StepUpError is the RFC 9470 error code.
const StepUpError = "insufficient_user_authentication"

// maxStepUpACRs bounds what a hostile API can make us ask the IdP for.
const maxStepUpACRs = 10

// StepUp is what the API asks of a new sign-in.
type StepUp struct {
	ACRValues []string // acceptable acr values, most preferred first
	// MaxAge is the most seconds since the user's last active
	// authentication; -1 when the API sets no limit.
	MaxAge int
}

// ParseStepUp reads an RFC 9470 challenge from a 401's WWW-Authenticate
// values; nil when there is none.
func ParseStepUp(status int, challenges []string) *StepUp {
	if status != http.StatusUnauthorized {
		return nil
	}
	for _, c := range challenges {
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(c)), "bearer") && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(c)), "dpop") {
			continue
		}
		params := ChallengeParams(c)
		if params["error"] != StepUpError {
			continue
		}
		s := &StepUp{MaxAge: -1}
		for _, v := range strings.Fields(params["acr_values"]) {
			if len(s.ACRValues) == maxStepUpACRs {
				break
			}
			if clean := failure.Sanitize(v, 200); clean == v { // no control characters or markup
				s.ACRValues = append(s.ACRValues, v)
			}
		}
		if n, err := strconv.Atoi(strings.TrimSpace(params["max_age"])); err == nil && n >= 0 {
			s.MaxAge = n
		}
		return s
	}
	return nil
}

// Describe names what the API asks, for a dialog or a diagnosis.
func (s *StepUp) Describe() string {
	var parts []string
	if len(s.ACRValues) > 0 {
		parts = append(parts, "an authentication level (acr) of "+strings.Join(s.ACRValues, " or "))
	}
	switch {
	case s.MaxAge == 0:
		parts = append(parts, "a sign-in just now")
	case s.MaxAge > 0:
		parts = append(parts, fmt.Sprintf("a sign-in within the last %s", ageText(s.MaxAge)))
	}
	if len(parts) == 0 {
		return "the API asks for a new sign-in (RFC 9470 step-up)"
	}
	return "the API asks for " + strings.Join(parts, " and ")
}

func ageText(sec int) string {
	switch {
	case sec%3600 == 0:
		return fmt.Sprintf("%d h", sec/3600)
	case sec%60 == 0:
		return fmt.Sprintf("%d min", sec/60)
	}
	return fmt.Sprintf("%d s", sec)
}
