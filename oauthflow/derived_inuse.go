package oauthflow

import (
	"fmt"
	"strconv"
	"strings"
)

// derivedUsing names the profiles that exchange the token of the profile
// id (as subject or actor): deleting it leaves them without one.
func derivedUsing(s *Service, id string) []string {
	ps, err := s.repo.List()
	if err != nil {
		return nil
	}
	var names []string
	for _, p := range ps {
		if derivesFrom(p, id) {
			names = append(names, p.Name)
		}
	}
	return names
}

// DerivedList is the derived profiles' names, quoted and comma-separated.
func (e *InUseError) DerivedList() string {
	names := make([]string, len(e.Derived))
	for i, n := range e.Derived {
		names[i] = strconv.Quote(n)
	}
	return strings.Join(names, ", ")
}

func (e *InUseError) derivedError() string {
	msg := fmt.Sprintf("profile %q is the subject or actor of the token exchange of profile(s) %s, which would have no token", e.Profile, e.DerivedList())
	if len(e.Transports) > 0 {
		msg += fmt.Sprintf(", and the credential of transport(s) %s", e.List())
	}
	return msg + "; delete it anyway only if they may lose their token, or edit them first"
}
