package idp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"sync"
)

// The pages the loopback listener shows in the user's browser. They are
// self-contained (inline CSS, one inline script) so they load with nothing
// but the listener, and the CSP allows nothing else.

// pageData fills pageTemplate. Everything is escaped by html/template.
type pageData struct {
	Title   string
	Heading string
	OK      bool
	Lines   []string
	Detail  string // the reason, for error pages
	Close   bool   // try window.close()
}

// closeScript is the success page's only script; the CSP allows exactly it.
const closeScript = `setTimeout(function () { window.close(); }, 600);`

// pageCSP allows the inline style and, by its hash, the one inline script.
var pageCSP = func() string {
	sum := sha256.Sum256([]byte(closeScript))
	return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src 'none'; form-action 'none'; " +
		"frame-ancestors 'none'; base-uri 'none'"
}()

// pageTemplate is parsed on first use: most credctl runs never show a page.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · Credential Workbench</title>
<style>
:root { color-scheme: light dark; }
body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f4f6; color: #1f2937; }
main { max-width: 30rem; margin: 1.5rem; padding: 2rem 2.25rem; background: #fff; border-radius: 12px;
  box-shadow: 0 4px 24px rgba(0,0,0,.08); text-align: center; }
.mark { width: 3.25rem; height: 3.25rem; line-height: 3.25rem; margin: 0 auto 1rem; border-radius: 50%;
  font-size: 1.75rem; font-weight: bold; color: #fff; }
.ok .mark { background: #16a34a; }
.err .mark { background: #dc2626; }
h1 { font-size: 1.35rem; margin: 0 0 .75rem; }
p { margin: .5rem 0; }
.detail { margin-top: 1rem; padding: .75rem 1rem; border-radius: 8px; background: #fef2f2; color: #991b1b;
  text-align: left; overflow-wrap: anywhere; }
.small { font-size: .85rem; color: #6b7280; }
@media (prefers-color-scheme: dark) {
  body { background: #111827; color: #e5e7eb; }
  main { background: #1f2937; box-shadow: none; }
  .detail { background: #3b1d1d; color: #fecaca; }
  .small { color: #9ca3af; }
}
</style>
</head>
<body>
<main class="{{if .OK}}ok{{else}}err{{end}}">
<div class="mark" aria-hidden="true">{{if .OK}}&#10003;{{else}}!{{end}}</div>
<h1 id="heading">{{.Heading}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Detail}}<p class="detail" id="reason">{{.Detail}}</p>
{{end}}<p class="small">Credential Workbench</p>
</main>
{{if .Close}}<script>` + closeScript + `</script>
{{end}}</body>
</html>
`))
})

// The texts of the pages.
var (
	pageSuccess = pageData{
		Title: "Logged in", Heading: "You are logged in", OK: true, Close: true,
		Lines: []string{
			"Credential Workbench has your login. You can close this window.",
			"Please do not share or bookmark the address of this page.",
		},
	}
	pageAlreadyDone = pageData{
		Title: "Already done", Heading: "This login has already completed", OK: true,
		Lines: []string{
			"Credential Workbench accepts one answer per login, and it already has one. Nothing was changed.",
			"You can close this window.",
		},
	}
)

func pageFailed(reason string) pageData {
	return pageData{
		Title: "Login failed", Heading: "Login failed", Detail: reason,
		Lines: []string{"Credential Workbench could not complete the login. Return to the app to try again."},
	}
}

// writePage sends a page with headers that keep it out of caches and keep
// the address (which held the authorization code) out of Referer headers.
func writePage(w http.ResponseWriter, status int, d pageData) {
	var buf bytes.Buffer
	if err := pageTemplate().Execute(&buf, d); err != nil {
		// The template is fixed and its data is plain strings: this cannot happen.
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
