package oauthflow

import (
	"slices"

	"golang.org/x/oauth2"
)

// promptOptions are the authorization request's prompt parameter (OpenID
// Connect Core §3.1.2.1) for the login options. For another user,
// select_account lets the user pick or add an account where the IdP
// advertises it (prompt_values_supported); otherwise prompt=login, which
// every OpenID provider knows, makes the IdP ask for credentials again
// instead of reusing its browser session.
func promptOptions(opt LoginOptions, ep Endpoints) []oauth2.AuthCodeOption {
	if !opt.AnotherUser {
		return nil
	}
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", anotherUserPrompt(ep))}
}

func anotherUserPrompt(ep Endpoints) string {
	if slices.Contains(ep.PromptValues, "select_account") {
		return "select_account"
	}
	return "login"
}
