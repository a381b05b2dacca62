package ui

import (
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// The form's private_key_jwt part: the client certificate (imported from
// PEM or PKCS#12, or generated), and the assertion's algorithm, thumbprint
// headers and audience. The private key is held in memory until Save hands
// it to the keyring; it is never shown.

const (
	algByKey      = "By key type (RS256 / ES256; PS256 for Entra ID)"
	headersBoth   = "x5t and x5t#S256"
	audienceToken = "Token endpoint"
	audienceIss   = "Issuer"
)

// certPart is the certificate section of the profile form.
type certPart struct {
	f                 *profileForm
	info              *widget.Label
	importBtn, genBtn *widget.Button
	saveBtn           *widget.Button
	jwkBtn            *widget.Button // copies the public JWK (Okta, Keycloak take one)
	// The Generate dialog's fields (tests fill them and call generateFromDialog).
	genKind           *widget.Select
	genSubject        *widget.Entry
	genDays           *widget.Entry
	alg, headers, aud *widget.Select
	certPEM           string // the certificate the form will save
	pendingKey        string // a new key (keyring form), "" = keep the stored one
}

func (c *certPart) buildCertificate() {
	f := c.f
	c.info = widget.NewLabel("")
	c.info.Wrapping = fyne.TextWrapWord
	c.importBtn = widget.NewButton("Import…", c.pickCertificate)
	c.genBtn = widget.NewButton("Generate…", c.askGenerate)
	c.saveBtn = widget.NewButton("Save certificate for upload…", c.saveCertificateFile)
	c.jwkBtn = widget.NewButton("Copy public JWK", c.copyPublicJWK)
	cell := container.NewVBox(c.info, container.NewHBox(c.importBtn, c.genBtn, c.saveBtn, c.jwkBtn))
	f.newField(credentials.FieldCertificate, "Certificate", cell)

	onChange := func(string) { f.validate() }
	c.alg = widget.NewSelect([]string{algByKey, credentials.AlgRS256, credentials.AlgPS256, credentials.AlgES256}, onChange)
	c.headers = widget.NewSelect([]string{headersBoth, credentials.HeadersX5t, credentials.HeadersX5tS256}, onChange)
	c.aud = widget.NewSelect([]string{audienceToken, audienceIss}, onChange)
	f.newField(credentials.FieldAssertion, "Assertion", container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Algorithm"), nil, c.alg),
		container.NewBorder(nil, nil, widget.NewLabel("Thumbprint header"), nil, c.headers),
		container.NewBorder(nil, nil, widget.NewLabel("Audience"), nil, c.aud)))
}

func (c *certPart) fillCertificate(p credentials.Profile) {
	c.certPEM = p.Certificate
	c.alg.Selected = p.AssertionAlg
	if c.alg.Selected == "" {
		c.alg.Selected = algByKey
	}
	c.headers.Selected = p.AssertionHeaders
	if c.headers.Selected == credentials.HeadersBoth {
		c.headers.Selected = headersBoth
	}
	c.aud.Selected = audienceToken
	if p.AssertionAudience == credentials.AudienceIssuer {
		c.aud.Selected = audienceIss
	}
	for _, s := range []*widget.Select{c.alg, c.headers, c.aud} {
		s.Refresh()
	}
	c.showCertificateInfo()
}

// readCertificate copies the section into p and the key into ch.
func (c *certPart) readCertificate(p *credentials.Profile, ch *credentials.SecretChange) {
	p.Certificate = c.certPEM
	p.AssertionAlg = c.alg.Selected
	if p.AssertionAlg == algByKey {
		p.AssertionAlg = ""
	}
	p.AssertionHeaders = c.headers.Selected
	if p.AssertionHeaders == headersBoth {
		p.AssertionHeaders = credentials.HeadersBoth
	}
	p.AssertionAudience = credentials.AudienceTokenURL
	if c.aud.Selected == audienceIss {
		p.AssertionAudience = credentials.AudienceIssuer
	}
	if c.pendingKey != "" {
		ch.PrivateKey = credentials.Secret(c.pendingKey)
	}
}

func (f *profileForm) usesCertificate() bool {
	return f.usesKey() || f.mtls.bind.Checked // form_mtls.go
}

// hasKey says whether a private key is stored or about to be.
func (f *profileForm) hasKey() bool {
	return f.cert.pendingKey != "" || (f.orig != nil && f.orig.HasPrivateKey)
}

// showCertificateInfo describes the certificate as the IdPs show it.
func (c *certPart) showCertificateInfo() {
	f := c.f
	if c.certPEM == "" {
		c.info.SetText("No certificate yet: import a PEM file (certificate + private key) or a PKCS#12/PFX file, or generate a new key pair.")
		c.saveBtn.Disable()
		c.jwkBtn.Disable()
		return
	}
	cert, err := credentials.ParseCertificatePEM(c.certPEM)
	if err != nil {
		c.info.SetText("The stored certificate cannot be read: import it again.")
		c.saveBtn.Disable()
		c.jwkBtn.Disable()
		return
	}
	tp := credentials.CertThumbprints(cert)
	kid, _ := oauthflow.KeyID(cert.PublicKey)
	key := "private key in the OS keyring"
	switch {
	case c.pendingKey != "":
		key = "private key goes to the OS keyring on Save"
	case !f.hasKey():
		key = "no private key stored: import the certificate with its key"
	}
	c.info.SetText(fmt.Sprintf("%s, valid until %s (%s)\nThumbprint (Entra ID, SHA-1): %s\nKey ID (kid, Okta): %s",
		cert.Subject.String(), cert.NotAfter.UTC().Format("2006-01-02"), key, tp.SHA1Hex, kid))
	c.saveBtn.Enable()
	c.jwkBtn.Enable()
}

// importCertificate takes the key material of a PEM or PKCS#12 file.
func (c *certPart) importCertificate(data []byte, password string) error {
	km, err := credentials.ParseKeyMaterial(data, password)
	if err != nil {
		return err
	}
	return c.takeKeyMaterial(km)
}

// generateCertificate makes a new RSA key pair and self-signed certificate
// for the default subject.
func (c *certPart) generateCertificate(days int) error {
	return c.generateKey(credentials.KeyRSA, c.defaultSubject(), days)
}

// defaultSubject is the certificate's common name unless the user types
// another: the client ID, else the profile name.
func (c *certPart) defaultSubject() string {
	f := c.f
	if cn := strings.TrimSpace(f.clientID.Text); cn != "" {
		return cn
	}
	return strings.TrimSpace(f.name.Text)
}

// generateKey makes a new key pair of kind and a self-signed certificate
// for subject (a common name).
func (c *certPart) generateKey(kind credentials.KeyKind, subject string, days int) error {
	subject = strings.TrimSpace(subject)
	if subject == "" {
		return errors.New("enter a subject (the certificate's common name, e.g. the client ID)")
	}
	km, err := credentials.GenerateKey(kind, pkix.Name{CommonName: subject}, days, time.Now())
	if err != nil {
		return err
	}
	return c.takeKeyMaterial(km)
}

// copyPublicJWK puts the certificate's public key as a JWK (with its kid)
// on the clipboard, for IdPs that register keys as JWKs. Never the private key.
func (c *certPart) copyPublicJWK() {
	f := c.f
	cert, err := credentials.ParseCertificatePEM(c.certPEM)
	if err != nil {
		c.certProblem("No certificate to copy the key of: import or generate one first.")
		return
	}
	jwk, err := oauthflow.PublicJWK(cert)
	if err != nil {
		c.certProblem("The public JWK cannot be made: " + err.Error())
		return
	}
	f.h.clipboard().SetContent(string(jwk))
	f.h.setStatus("Public JWK copied to the clipboard (register it at the IdP)")
}

func (c *certPart) takeKeyMaterial(km credentials.KeyMaterial) error {
	f := c.f
	key, err := credentials.EncodePrivateKey(km.Key)
	if err != nil {
		return err
	}
	c.certPEM, c.pendingKey = credentials.CertificatePEM(km.Cert), key
	if !f.usesCertificate() { // mutual TLS keeps its method
		f.authMethod.SetSelected(string(credentials.AuthPrivateKeyJWT))
	}
	f.fields[credentials.FieldCertificate].touched = true
	c.showCertificateInfo()
	f.updateVisibility()
	f.validate()
	return nil
}

func (c *certPart) pickCertificate() {
	f := c.f
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		data, rerr := io.ReadAll(io.LimitReader(rc, 1<<20))
		_ = rc.Close()
		if rerr != nil {
			c.certProblem("The file cannot be read: " + rerr.Error())
			return
		}
		name := strings.ToLower(rc.URI().Name())
		if strings.HasSuffix(name, ".pfx") || strings.HasSuffix(name, ".p12") {
			c.askPassword(data)
			return
		}
		if err := c.importCertificate(data, ""); err != nil {
			c.certProblem(err.Error())
		}
	}, f.h.window())
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer", ".key", ".pfx", ".p12"}))
	fd.Resize(fyne.NewSize(700, 480))
	fd.Show()
}

func (c *certPart) askPassword(data []byte) {
	f := c.f
	pass := widget.NewPasswordEntry()
	dialog.ShowForm("PKCS#12 password", "Import", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Password", pass)}, func(ok bool) {
			if !ok {
				return
			}
			if err := c.importCertificate(data, pass.Text); err != nil {
				c.certProblem(err.Error())
			}
		}, f.h.window())
}

// Key type choices of the Generate dialog.
const (
	keyKindRSA = "RSA 2048 (RS256, PS256) — every IdP, Entra ID only this"
	keyKindEC  = "EC P-256 (ES256) — Okta, Keycloak, Auth0"
)

func (c *certPart) askGenerate() {
	f := c.f
	c.genKind = widget.NewSelect([]string{keyKindRSA, keyKindEC}, nil)
	c.genKind.SetSelected(keyKindRSA)
	c.genSubject = widget.NewEntry()
	c.genSubject.SetText(c.defaultSubject())
	c.genDays = widget.NewEntry()
	c.genDays.SetText("365")
	dialog.ShowForm("Generate key pair and self-signed certificate", "Generate", "Cancel",
		[]*widget.FormItem{
			widget.NewFormItem("Key type", c.genKind),
			widget.NewFormItem("Subject (CN)", c.genSubject),
			widget.NewFormItem("Valid for (days)", c.genDays),
		}, func(ok bool) {
			if ok {
				c.generateFromDialog()
			}
		}, f.h.window())
}

// generateFromDialog generates what the Generate dialog says.
func (c *certPart) generateFromDialog() {
	kind := credentials.KeyRSA
	if c.genKind.Selected == keyKindEC {
		kind = credentials.KeyEC
	}
	n, err := strconv.Atoi(strings.TrimSpace(c.genDays.Text))
	if err == nil {
		err = c.generateKey(kind, c.genSubject.Text, n)
	}
	if err != nil {
		c.certProblem("Not generated: " + err.Error())
	}
}

// saveCertificateFile writes the public certificate (PEM) for upload.
func (c *certPart) saveCertificateFile() {
	f := c.f
	pemText := c.certPEM
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		_, werr := io.WriteString(wc, pemText)
		if cerr := wc.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			c.certProblem("The certificate was not written: " + werr.Error())
			return
		}
		f.h.setStatus("Certificate written to " + wc.URI().Path())
	}, f.h.window())
	fd.SetFileName(strings.ReplaceAll(strings.TrimSpace(f.name.Text), " ", "_") + ".crt")
	fd.Resize(fyne.NewSize(700, 480))
	fd.Show()
}

func (c *certPart) certProblem(msg string) {
	f := c.f
	ff := f.fields[credentials.FieldCertificate]
	ff.msg.SetText(msg)
	ff.msg.Show()
}
