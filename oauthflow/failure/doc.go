// Package failure says what went wrong with a profile and what to do: the
// categories with their advice, Failure, the classification of any error of
// a call to an IdP (Classify), and the Entra ID, Okta and Keycloak tables
// that turn an IdP's error body into a cause and a one-line fix. It is a
// leaf: every other oauthflow package uses it, it uses none of them.
package failure
