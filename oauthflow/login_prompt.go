package oauthflow

import "golang.org/x/oauth2"

// promptOptions are the authorization request's prompt parameter (OpenID
// Connect Core §3.1.2.1) for the login options: prompt=login makes the IdP
// ask for credentials again instead of reusing its browser session.
func promptOptions(opt LoginOptions) []oauth2.AuthCodeOption {
	if opt.AnotherUser {
		return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "login")}
	}
	return nil
}
