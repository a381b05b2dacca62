package testidp

// WithStepUp puts the user's acr and auth_time into access tokens
// (node/stepup.mjs), so a resource server can answer RFC 9470 challenges.
func WithStepUp() Option { return WithFeature("stepup", map[string]bool{"on": true}) }
