package oauthflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Issue #23.2: a run that sends a token to a host that is not its
// credential's audience or resource host says so once per transport and
// host, kept on the transport so another process does not repeat it.
func TestRunTransportHostNoticeOnce(t *testing.T) {
	e := newRunEnv(t, testidp.TenantID)
	p := ccApp("for the API", e.idp.TokenURL)
	p.Tenant, p.Resource = testidp.TenantID, testidp.Resource // https://api.credworkbench.test
	p = ccSave(t, e.s, p, testidp.AppClientSecret)
	api := testapi.StartJSON(t, e.cfg) // on 127.0.0.1
	e.save(t, credentials.Transport{Name: "orders", Type: credentials.TransportHTTP, URL: api.URL + "/orders",
		Authorization: credentials.AuthCredential, ProfileID: p.ID})
	e.save(t, credentials.Transport{Name: "no resource", Type: credentials.TransportHTTP, URL: api.URL + "/orders",
		Authorization: credentials.AuthCredential, ProfileID: e.app.ID})

	res := e.run(t, "orders", RunOptions{})
	wantOutcome(t, res, OutcomeOK)
	for _, want := range []string{`"orders"`, `"for the API"`, "127.0.0.1", "api.credworkbench.test", "shown once"} {
		if !strings.Contains(res.Notice, want) {
			t.Fatalf("notice %q lacks %q", res.Notice, want)
		}
	}
	if tr, _ := e.s.Transports().Get("orders"); len(tr.HostNotices) != 1 || tr.HostNotices[0] != "127.0.0.1" {
		t.Fatalf("host notices kept: %q", tr.HostNotices)
	}
	if res := e.run(t, "orders", RunOptions{}); res.Notice != "" {
		t.Fatalf("the notice came again: %q", res.Notice)
	}
	// Another process on the same store does not repeat it either.
	s2 := NewService(e.s.repo, nil, nil)
	defer s2.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if res, err := s2.Transports().Run(ctx, "orders", RunOptions{}); err != nil || res.Notice != "" {
		t.Fatalf("another process: %v, notice %q", err, res.Notice)
	}
	// A credential without URL audience or resource names no host: nothing to say.
	if res := e.run(t, "no resource", RunOptions{}); res.Notice != "" {
		t.Fatalf("notice without an audience host: %q", res.Notice)
	}
	// Editing the URL to another host of the same transport: told again.
	tr, _ := e.s.Transports().Get("orders")
	tr.URL = strings.Replace(api.URL, "127.0.0.1", "localhost", 1) + "/orders"
	e.save(t, tr)
	if res := e.run(t, "orders", RunOptions{}); !strings.Contains(res.Notice, "localhost") {
		t.Fatalf("notice for a new host: %q (outcome %s)", res.Notice, res.Outcome)
	}
}
