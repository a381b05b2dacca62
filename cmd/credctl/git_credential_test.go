package main

import (
	"slices"
	"strings"
	"testing"
)

func TestReadGitRequest(t *testing.T) {
	q, err := readGitRequest(strings.NewReader("protocol=https\r\nhost=git.example.com:8443\npath=team/r.git\nusername=me\npassword=a=b\nwwwauth[]=Basic\n\nignored=1\n"))
	if err != nil || q != (gitRequest{Protocol: "https", Host: "git.example.com:8443", Path: "team/r.git", Username: "me", Password: "a=b"}) {
		t.Fatalf("%+v %v", q, err)
	}
	if _, err := readGitRequest(strings.NewReader("protocol https\n")); err == nil || strings.Contains(err.Error(), "https") {
		t.Fatalf("a line without '=': %v (the error must not echo the line: it may be a password)", err)
	}
}

func TestGitTransportSafe(t *testing.T) {
	for _, c := range []struct {
		proto, host string
		ok          bool
	}{
		{"https", "dev.azure.com", true},
		{"http", "127.0.0.1:8080", true},
		{"http", "localhost", true},
		{"http", "[::1]:80", true},
		{"http", "git.example.com", false},
		{"http", "127.0.0.1.evil.example", false},
		{"ssh", "git.example.com", false},
	} {
		if err := gitTransportSafe(gitRequest{Protocol: c.proto, Host: c.host}); (err == nil) != c.ok {
			t.Errorf("%s://%s: %v", c.proto, c.host, err)
		}
	}
}

func TestChildEnvReplacesInherited(t *testing.T) {
	got := childEnv([]string{"PATH=/bin", "TOK=old", "TOK_TENANT=old", "TOKEN=keep"}, "TOK", "new", "")
	if want := []string{"PATH=/bin", "TOKEN=keep", "TOK=new"}; !slices.Equal(got, want) {
		t.Fatalf("%q, want %q", got, want)
	}
	if got := childEnv(nil, "T", "x", "acme"); !slices.Equal(got, []string{"T=x", "T_TENANT=acme"}) {
		t.Fatalf("%q", got)
	}
}
