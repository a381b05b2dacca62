package credentials

import (
	"fmt"
	"strings"
)

// ParseClaimPath splits a claim path into its keys. Accepted forms:
//
//	preferred_username        a top-level claim
//	realm_access.roles        nested objects, dot-separated
//	$.TenantID                JSONPath-style root prefix
//	["https://example.com/roles"]   a key that itself holds dots, in brackets
//	resource_access['my-app'].roles
func ParseClaimPath(path string) ([]string, error) {
	s := strings.TrimSpace(path)
	if s == "" {
		return nil, fmt.Errorf("claim path is empty")
	}
	if strings.HasPrefix(s, "$") {
		s = strings.TrimPrefix(s, "$")
		if s == "" {
			return nil, fmt.Errorf("claim path %q names no claim after $", path)
		}
		if s[0] == '.' {
			s = s[1:]
			if s == "" {
				return nil, fmt.Errorf("claim path %q names no claim after \"$.\"", path)
			}
		} else if s[0] != '[' {
			return nil, fmt.Errorf("claim path %q: $ must be followed by . or [", path)
		}
	}
	var keys []string
	for s != "" {
		if s[0] == '[' {
			if len(s) < 2 || (s[1] != '"' && s[1] != '\'') {
				return nil, fmt.Errorf("claim path %q: a bracketed key must be quoted, like [\"key\"]", path)
			}
			q := s[1]
			end := strings.IndexByte(s[2:], q)
			if end < 0 || len(s) < end+4 || s[end+3] != ']' {
				return nil, fmt.Errorf("claim path %q: unterminated bracketed key", path)
			}
			key := s[2 : end+2]
			if key == "" {
				return nil, fmt.Errorf("claim path %q: empty bracketed key", path)
			}
			keys = append(keys, key)
			s = s[end+4:]
		} else {
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			key := s[:end]
			if key == "" {
				return nil, fmt.Errorf("claim path %q: empty key (two dots in a row, or a leading or trailing dot)", path)
			}
			if strings.ContainsAny(key, " \t\"'$]") {
				return nil, fmt.Errorf("claim path %q: key %q holds a space, quote or bracket; put it in brackets like [\"%s\"]", path, key, key)
			}
			keys = append(keys, key)
			s = s[end:]
		}
		if s == "" {
			break
		}
		if s[0] == '.' {
			s = s[1:]
			if s == "" {
				return nil, fmt.Errorf("claim path %q ends with a dot", path)
			}
		} else if s[0] != '[' {
			return nil, fmt.Errorf("claim path %q: expected . or [ after %q", path, keys[len(keys)-1])
		}
	}
	return keys, nil
}
