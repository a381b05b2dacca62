package oauthflow

import (
	"context"
	"fmt"

	"github.com/credworkbench/credworkbench/credentials"
)

// A derived token follows its subject (#28): when the subject's token
// renews, the derived token is exchanged again; when the subject logs out
// or is deleted, the derived token is dropped (it never outlives the
// subject's session), here and in the shared store.

// followDerived is called for every event this process publishes or sees
// from another one (events.go).
func followDerived(s *Service, e Event) {
	if e.ProfileID == "" || s.repo == nil {
		return
	}
	switch e.Kind {
	case EventLoggedOut, EventDeleted:
		dropDerived(s, e.ProfileID, e.Name, e.Kind, 0)
	case EventFailed:
		if e.Result != nil && e.Result.Status == credentials.StatusLoggedOut { // the session ended at the IdP
			dropDerived(s, e.ProfileID, e.Name, EventLoggedOut, 0)
		}
	case EventRenewed, EventTested, EventLoggedIn:
		if e.Result != nil && e.Result.Active() && !s.OneShot {
			reexchange(s.mgr, e.ProfileID)
		}
	}
}

// reexchange renews the tokens kept here that were exchanged from the
// token of the profile id names.
func reexchange(m *Manager, id string) {
	m.mu.Lock()
	var due []credentials.Profile
	for _, e := range m.entries {
		if e.tok != nil && derivesFrom(e.profile, id) {
			due = append(due, e.profile)
		}
	}
	m.mu.Unlock()
	for _, p := range due {
		_, _ = m.start(p, EventRenewed, fetchRenew)
	}
}

func derivesFrom(p credentials.Profile, id string) bool {
	return p.GrantType == credentials.GrantTokenExchange && (p.SubjectProfile == id || p.ActorProfile == id)
}

// dropDerived drops the tokens exchanged from the profile id (and, down the
// chain, from those) and records why.
func dropDerived(s *Service, id, name string, why EventKind, depth int) {
	if depth >= maxExchangeChain {
		return
	}
	ps, err := s.repo.List()
	if err != nil {
		return
	}
	for _, d := range ps {
		if !derivesFrom(d, id) {
			continue
		}
		had := s.mgr.Forget(d.ID)
		if unlock, err := s.lockProfile(context.Background(), d.ID); err == nil {
			if err := deleteStoredToken(s.Tokens, d.ID); err != nil {
				logWarn(s.Log, "cannot drop the token of a derived profile", "profile", d.Name, "error", err.Error())
			}
			unlock()
		}
		if !had && d.LastStatus != credentials.StatusActive {
			continue // nothing was shown as usable
		}
		msg := fmt.Sprintf("the token was dropped because '%s' logged out: log in to '%s' again, then test this profile", name, name)
		if why == EventDeleted {
			msg = fmt.Sprintf("the profile '%s' whose token this profile exchanges was deleted: edit the profile and choose another subject profile", name)
		}
		res := failedResult(d, &Failure{Category: CatLogin, Message: msg}, nil, s.Clock.Now())
		if err := s.record(&recordReq{p: d, res: res}); err != nil {
			logWarn(s.Log, "cannot record a dropped derived token", "profile", d.Name, "error", err.Error())
		}
		s.publish(Event{ProfileID: d.ID, Name: d.Name, Kind: EventFailed, Result: &res})
		dropDerived(s, d.ID, d.Name, EventLoggedOut, depth+1)
	}
}
