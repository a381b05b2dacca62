package oauthflow

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
)

// apiIdentity is the scheme and host of a URL, which is what an audience
// naming the API by URL would hold.
func apiIdentity(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

func audienceMatches(aud []string, raw string) bool {
	api := strings.TrimRight(apiIdentity(raw), "/")
	for _, a := range aud {
		a = strings.TrimRight(a, "/")
		if strings.EqualFold(a, api) || strings.HasPrefix(strings.ToLower(raw), strings.ToLower(a)+"/") {
			return true
		}
	}
	return false
}

// hostNotice is the notice for a run that sends p's token to a host that
// is not one of p's audience or resource hosts (when those are URLs; an
// audience like api://orders says nothing about hosts), unless this
// transport was told about that host before (issue #23.2: an imported
// transport may point a token at the file author's host).
func hostNotice(t credentials.Transport, p credentials.Profile) (notice, host string) {
	hosts := credentials.AudienceHosts(p)
	host = credentials.URLHost(t.URL)
	if len(hosts) == 0 || host == "" || slices.Contains(hosts, host) || slices.Contains(t.HostNotices, host) {
		return "", ""
	}
	shown := make([]string, len(hosts))
	for i, h := range hosts {
		shown[i] = graphic(h)
	}
	return fmt.Sprintf("Transport %q sent the token of %q to %s, which is not the host of the profile's audience or resource (%s). "+
		"Check that this API should get that token; this notice is shown once for this transport and host.",
		t.Name, p.Name, graphic(host), strings.Join(shown, ", ")), host
}

// rememberNotice records on the transport that its notice was shown, so
// it is not repeated, in this process or another.
func (tr *Transports) rememberNotice(ctx context.Context, t credentials.Transport, res *RunResult) {
	s := tr.s
	if res.noticeHost == "" || t.ID == "" {
		return
	}
	err := s.repo.Transports().Update(func(ts []credentials.Transport) ([]credentials.Transport, error) {
		for i := range ts {
			if ts[i].ID == t.ID && !slices.Contains(ts[i].HostNotices, res.noticeHost) {
				ts[i].HostNotices = append(ts[i].HostNotices, res.noticeHost)
			}
		}
		return ts, nil
	})
	if err != nil {
		logInfo(ctx, s.Log, "transport host notice not recorded", "transport", t.Name, "error", err.Error())
	}
}

// graphic escapes what is not graphic (control, C1, bidi characters).
func graphic(s string) string {
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
