package credentials

import (
	"net"
	"strings"
)

// normalizeGitHosts trims the patterns, lower-cases their host part and
// drops empty ones and repeats.
func normalizeGitHosts(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range in {
		h = strings.TrimSpace(h)
		host, path, _ := strings.Cut(h, "/")
		if host == "" {
			continue
		}
		h = strings.ToLower(host)
		if path != "" {
			h += "/" + path
		}
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// validateGit checks the git host patterns: a host[:port], optionally
// followed by a path prefix; "*" only as a last "/*".
func validateGit(p Profile, add func(field, format string, args ...any)) {
	for _, h := range strings.Fields(p.GitHosts) {
		host, path, hasPath := strings.Cut(h, "/")
		switch {
		case strings.Contains(h, "://"):
			add(FieldGitHosts, "Git host %q: give the host without the scheme, e.g. dev.azure.com or git.example.com/team/*.", h)
		case strings.ContainsAny(h, " \t\r\n?#@\\") || strings.Contains(host, "*") ||
			strings.Contains(strings.TrimSuffix(path, "*"), "*") || (hasPath && strings.HasSuffix(path, "*") && !strings.HasSuffix(path, "/*") && path != "*"):
			add(FieldGitHosts, "Git host %q is not a host[:port] with an optional path prefix ending in /*, e.g. git.example.com/team/*.", h)
		}
	}
	if strings.ContainsAny(p.GitUsername, "\r\n\x00") {
		add(FieldGitHosts, "The git username must be one line.")
	}
}

// GitHostMatch is how specifically the profile's git host patterns match
// a remote (host as git sends it, with any port; path without the leading
// slash, "" when git does not send it): 0 = not at all, more = longer
// pattern.
func (p Profile) GitHostMatch(host, path string) int {
	host = strings.ToLower(host)
	bare := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		bare = h
	}
	best := 0
	for _, pat := range strings.Fields(p.GitHosts) {
		ph, pp, _ := strings.Cut(pat, "/")
		if ph != host && ph != bare {
			continue
		}
		pp = strings.TrimSuffix(strings.TrimSuffix(pp, "*"), "/")
		if pp != "" {
			// A path pattern needs git's path (credential.useHttpPath).
			p := strings.Trim(path, "/")
			if p != pp && !strings.HasPrefix(p, pp+"/") {
				continue
			}
		}
		best = max(best, len(pat)+1)
	}
	return best
}
