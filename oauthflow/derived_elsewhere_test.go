package oauthflow

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// A process that holds a derived token in memory (a running workbench,
// which answers credctl's token requests) does not hand it out once
// another process has logged the subject out, even before it has handled
// that logout's event: the other process dropped the derived token from
// the shared store already. (CI caught the workbench answering with it.)
func TestDerivedTokenNotServedAfterSubjectLogoutElsewhere(t *testing.T) {
	idp := teIdP(t)
	repo := loginRepo(t)
	wb := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
	defer wb.Close()
	alice := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.Name = "alice-portal" })
	orders := teSave(t, wb, teProfile("orders", idp.TokenURL, teClientID, alice.ID), teClientSecret)
	loginOK(t, wb, alice.Name, LoginOptions{})
	ctx := context.Background()
	if tok, _, err := wb.FetchToken(ctx, orders.Name, TokenOptions{}); err != nil || tok == nil {
		t.Fatalf("the exchanged token: %v", err)
	}

	// Another process on the same files and keyring (wb watches nothing,
	// so it never sees the event).
	cli := NewService(credtest.Repository(t, nil, credtest.InDir(os.Getenv("HOME"))), nil, nil)
	defer cli.Close()
	if err := cli.Logout(ctx, alice.Name); err != nil {
		t.Fatal(err)
	}
	before := idp.Stats(t).Token
	tok, _, err := wb.FetchToken(ctx, orders.Name, TokenOptions{})
	if err == nil || tok != nil || !strings.Contains(err.Error(), "log in to 'alice-portal' first") {
		t.Fatalf("the derived token after the subject's logout elsewhere: %v, %v", tok != nil, err)
	}
	if n := idp.Stats(t).Token - before; n != 0 {
		t.Errorf("%d token requests; the subject's logout needs none", n)
	}
}
