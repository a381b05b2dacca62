package idp

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPagesAreSmallAndSelfContained(t *testing.T) {
	for name, d := range map[string]pageData{
		"success": pageSuccess, "done": pageAlreadyDone, "failed": pageFailed("IdP said <b>no</b> & \"bye\""),
	} {
		rec := httptest.NewRecorder()
		writePage(rec, 200, d)
		body := rec.Body.String()
		if len(body) > 8<<10 {
			t.Errorf("%s page is %d bytes", name, len(body))
		}
		if strings.Contains(body, "src=") || strings.Contains(body, "href=") || strings.Contains(body, "@import") {
			t.Errorf("%s page loads external resources", name)
		}
		if strings.Contains(body, "<b>no</b>") {
			t.Errorf("%s page does not escape the reason", name)
		}
		if !strings.Contains(body, "<title>") || rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s page: %q", name, body)
		}
		// The CSP allows exactly the page's inline script, by hash.
		if i := strings.Index(body, "<script>"); i >= 0 {
			script := body[i+len("<script>") : strings.Index(body, "</script>")]
			sum := sha256.Sum256([]byte(script))
			want := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
			if !strings.Contains(rec.Header().Get("Content-Security-Policy"), want) {
				t.Errorf("%s page: CSP %q does not allow its script (%s)", name, rec.Header().Get("Content-Security-Policy"), want)
			}
		} else if d.Close {
			t.Errorf("%s page has no close script", name)
		}
	}
}
