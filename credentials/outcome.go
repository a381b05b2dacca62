package credentials

import "time"

// Outcome is what a test, renewal, login or logout says about a profile,
// in the terms of its bookkeeping. The service records outcomes with Apply
// and the workbench shows them with Apply, so a row says what the state
// file says.
type Outcome struct {
	Status    Status
	CheckedAt time.Time
	Expiry    time.Time // the token's expiry; zero when unknown or failed
	// Failed carries the failure's text and category.
	Failed   bool
	Error    string
	Category string
	// Unasked: nothing was checked (no secret or key to send, no session to
	// renew).
	Unasked bool
	// What a User profile's token or login proved; "" for none.
	Username, Subject, MFA string
}

// Apply records o of profile p (the revision it was made with) into b. An
// outcome of another revision says nothing about the profile as it is and
// is dropped; an unasked check leaves a never-checked profile unchecked.
func (b *Bookkeeping) Apply(p Profile, o Outcome) {
	if b.Revision != p.Revision {
		return
	}
	if o.Unasked && (b.LastChecked.IsZero() || b.LastStatus == StatusUntested) {
		// A profile never checked stays so, without a "Last checked" time
		// or a "Logged out" it never was.
		return
	}
	b.LastStatus, b.LastChecked = o.Status, o.CheckedAt.UTC()
	if o.Status == StatusLoggedOut {
		// The session ended at the IdP: nobody is logged in any more.
		b.LoggedInAs, b.Subject, b.TokenExpiry, b.LoginAt = "", "", time.Time{}, time.Time{}
		b.LoginMFA = ""
	}
	if o.Failed {
		b.LastError, b.LastCategory = o.Error, o.Category
		return
	}
	b.LastError, b.LastCategory = "", ""
	b.TokenExpiry = o.Expiry.UTC()
	if p.Type != TypeUser {
		return
	}
	if o.Username != "" {
		b.LoggedInAs = o.Username
	}
	if o.Subject != "" {
		b.Subject = o.Subject
	}
	if o.MFA != "" {
		b.LoginMFA = o.MFA // a login's verdict; refreshes carry none and keep it
	}
}
