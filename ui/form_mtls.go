package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// The form's mutual TLS part (RFC 8705): certificate-bound tokens with any
// client authentication, and what tls_client_auth and
// self_signed_tls_client_auth need at the IdP. The certificate itself is
// the certificate section's (form_certificate.go).

// fieldMTLS names the mutual TLS row.
const fieldMTLS = "mtls"

// mtlsPart is the mutual TLS section of the profile form.
type mtlsPart struct {
	bind *widget.Check
	hint *widget.Label
}

func (f *profileForm) buildMTLS() {
	m := &f.mtls
	m.bind = widget.NewCheck("Bind tokens to certificate (certificate-bound tokens)", func(bool) {
		if ff := f.fields[fieldMTLS]; ff != nil {
			ff.touched = true
			f.updateVisibility()
			f.validate()
		}
	})
	m.hint = widget.NewLabel("")
	m.hint.Wrapping = fyne.TextWrapWord
	m.hint.Importance = widget.LowImportance
	f.newField(fieldMTLS, "Mutual TLS", container.NewVBox(m.bind, m.hint))
}

func (f *profileForm) fillMTLS(p credentials.Profile) {
	f.mtls.bind.Checked = p.BindTokensToCertificate
	f.mtls.bind.Refresh()
}

func (f *profileForm) readMTLS(p *credentials.Profile) {
	p.BindTokensToCertificate = f.mtls.bind.Checked
}

// mtlsMethod is the selected client authentication.
func (f *profileForm) mtlsMethod() credentials.AuthMethod {
	return credentials.AuthMethod(f.authMethod.Selected)
}

// showMTLSHint says what the selected method needs at the IdP.
func (f *profileForm) showMTLSHint() {
	var text string
	switch f.mtlsMethod() {
	case credentials.AuthTLSClient:
		text = "tls_client_auth: import a certificate issued by a CA the IdP trusts; the IdP must know its subject DN or SAN " +
			"(tls_client_auth_subject_dn …). No secret is sent: the TLS handshake authenticates."
	case credentials.AuthSelfSignedTLS:
		text = "self_signed_tls_client_auth: a generated self-signed certificate works; register it (or its public JWK) " +
			"for the client at the IdP. No secret is sent."
	}
	if f.mtls.bind.Checked {
		if text != "" {
			text += " "
		}
		text += "The certificate is presented to the IdP and to APIs; every token must be bound to it (cnf.x5t#S256)."
	}
	if text == "" {
		text = "Off: no client certificate is presented. Choose tls_client_auth or self_signed_tls_client_auth above, or bind tokens."
	}
	f.mtls.hint.SetText(text)
}

// usesKey says the client authenticates with the certificate's key
// (private_key_jwt or mutual TLS) instead of a secret.
func (f *profileForm) usesKey() bool { return f.mtlsMethod().UsesKey() }

// mtlsDetails is the details panel's mutual TLS line ("" without it).
func mtlsDetails(p credentials.Profile) string {
	switch {
	case p.AuthMethod.IsMTLS() && p.BindTokensToCertificate:
		return string(p.AuthMethod) + ", certificate-bound tokens"
	case p.AuthMethod.IsMTLS():
		return string(p.AuthMethod)
	case p.BindTokensToCertificate:
		return "certificate-bound tokens"
	}
	return ""
}
