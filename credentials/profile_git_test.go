package credentials

import (
	"strings"
	"testing"
)

func TestGitHostMatch(t *testing.T) {
	p := Profile{GitHosts: "Dev.Azure.com git.example.com/team/* 127.0.0.1:8080"}
	p.Normalize()
	for _, c := range []struct {
		host, path string
		match      bool
	}{
		{"dev.azure.com", "", true},
		{"dev.azure.com:443", "org/repo", true},
		{"git.example.com", "team/repo.git", true},
		{"git.example.com", "team", true},
		{"git.example.com", "teams/repo.git", false},
		{"git.example.com", "", false}, // no path: credential.useHttpPath is off
		{"127.0.0.1:8080", "", true},
		{"127.0.0.1:9090", "", false},
		{"evil.azure.com", "", false},
	} {
		if got := p.GitHostMatch(c.host, c.path) > 0; got != c.match {
			t.Errorf("%s %q: match %v, want %v", c.host, c.path, got, c.match)
		}
	}
	if p.GitHostMatch("git.example.com", "team/x") <= (Profile{GitHosts: "git.example.com"}).GitHostMatch("git.example.com", "team/x") {
		t.Error("a path pattern is not more specific than the host alone")
	}
}

func TestValidateGitHosts(t *testing.T) {
	for _, bad := range []string{"https://dev.azure.com", "git.example.com/te*m", "*.example.com", "a@b.example.com"} {
		var msgs []string
		validateGit(Profile{GitHosts: bad}, func(_, f string, _ ...any) { msgs = append(msgs, f) })
		if len(msgs) == 0 {
			t.Errorf("%q was accepted", bad)
		}
	}
	for _, good := range []string{"dev.azure.com", "git.example.com/team/*", "127.0.0.1:8080", "h/a/b"} {
		validateGit(Profile{GitHosts: good}, func(_, f string, a ...any) { t.Errorf("%q refused: %s %v", good, f, a) })
	}
	validateGit(Profile{GitUsername: "a\nb"}, func(_, f string, _ ...any) {
		if !strings.Contains(f, "one line") {
			t.Error(f)
		}
	})
}
