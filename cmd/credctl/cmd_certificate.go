package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

// maxCertificateFile bounds what --certificate reads (a PFX with a chain is
// a few kB).
const maxCertificateFile = 1 << 20

// loadCertificate reads a --certificate file into p (the public certificate)
// and returns the private key in its keyring form. Errors name the file but
// never quote its content.
func loadCertificate(p *credentials.Profile, file, password string) (string, error) {
	fail := func(msg string) error {
		return &credentials.ValidationError{Fields: []credentials.FieldError{{Field: credentials.FieldCertificate,
			Message: fmt.Sprintf("%s: %s.", file, msg)}}}
	}
	f, err := os.Open(file) // #nosec G304 -- the file the user named on the command line
	if err != nil {
		return "", fail("cannot be read (" + errors.Unwrap(err).Error() + ")")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertificateFile+1))
	if err != nil {
		return "", fail("cannot be read")
	}
	if len(data) > maxCertificateFile {
		return "", fail("is larger than 1 MiB; that is no certificate file")
	}
	km, err := credentials.ParseKeyMaterial(data, password)
	if err != nil {
		return "", fail(err.Error())
	}
	key, err := credentials.EncodePrivateKey(km.Key)
	if err != nil {
		return "", fail(err.Error())
	}
	p.Certificate = credentials.CertificatePEM(km.Cert)
	if p.GrantType != credentials.GrantJWTBearer && !p.AuthMethod.UsesKey() && !p.BindTokensToCertificate {
		p.AuthMethod = credentials.AuthPrivateKeyJWT // mutual TLS keeps its method; a JWT bearer grant's key signs its assertion
	}
	return key, nil
}

type certificateNewOptions struct {
	Name string
	Days int
	Out  string
}

// newCertificateCmd is the certificate group; its only subcommand is new.
func newCertificateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "certificate new NAME [--days 365] [--out FILE]",
		Short: "Generate a key pair and self-signed certificate for private_key_jwt or mutual TLS (key to the keyring)",
		Long: `new NAME switches the profile to private_key_jwt: the private key goes to the
OS keyring, the public certificate to NAME.crt (or --out FILE), which is never
overwritten. Upload it to the IdP (or register the printed JWK).
To import an existing certificate instead:
  credctl edit NAME --auth-method private_key_jwt --certificate client.pem
  credctl edit NAME --certificate client.pfx --certificate-password-stdin
`,
		Args: cobra.ArbitraryArgs,
		RunE: func(*cobra.Command, []string) error {
			return &usageError{cmd: "certificate", msg: "the only subcommand is: new NAME"}
		},
	}
	opts := &certificateNewOptions{}
	newCmd := &cobra.Command{
		Use:               "new NAME",
		Short:             "Generate a key pair and self-signed certificate for the profile NAME",
		Args:              wantArgs("certificate new", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return certificateNewRun(a, opts)
		},
	}
	newCmd.Flags().IntVar(&opts.Days, "days", 365, "lifetime of the certificate in `days` (1 to 3650)")
	newCmd.Flags().StringVar(&opts.Out, "out", "", "`file` to write the public certificate (PEM) to (default NAME.crt in the current directory)")
	_ = newCmd.MarkFlagFilename("out")
	cmd.AddCommand(newCmd)
	return cmd
}

func certificateNewRun(a *app, opts *certificateNewOptions) error {
	if opts.Days < 1 || opts.Days > 3650 {
		return &usageError{cmd: "certificate", msg: fmt.Sprintf("--days must be 1 to 3650, not %d", opts.Days)}
	}
	svc, p, err := a.serviceProfile(opts.Name)
	if err != nil {
		return err
	}
	km, err := credentials.GenerateKeyMaterial(p.ClientID, opts.Days, time.Now())
	if err != nil {
		return err
	}
	path := opts.Out
	if path == "" {
		path = certFileName(p.Name)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	certPEM := credentials.CertificatePEM(km.Cert)
	// O_EXCL: never overwrite a file, which might be another client's certificate.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644) // #nosec G302 G304 -- a public certificate, at the path the user chose
	if err != nil {
		return fmt.Errorf("cannot write the certificate to %s: %w (choose another file with --out)", path, errors.Unwrap(err))
	}
	_, werr := f.WriteString(certPEM)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return fmt.Errorf("cannot write the certificate to %s: %w", path, werr)
	}
	key, err := credentials.EncodePrivateKey(km.Key)
	if err != nil {
		_ = os.Remove(path)
		return err
	}
	p.Certificate = certPEM
	if p.GrantType != credentials.GrantJWTBearer && !p.AuthMethod.UsesKey() && !p.BindTokensToCertificate {
		p.AuthMethod = credentials.AuthPrivateKeyJWT // mutual TLS keeps its method; a JWT bearer grant's key signs its assertion
	}
	saved, err := svc.Save(p, credentials.SecretChange{PrivateKey: &key})
	if err != nil {
		_ = os.Remove(path)
		return err
	}
	fmt.Fprintf(a.stdout, "Generated a key pair and a self-signed certificate for %q (valid until %s).\n",
		saved.Name, km.Cert.NotAfter.UTC().Format("2006-01-02"))
	fmt.Fprintf(a.stdout, "The private key is in the OS keyring; the public certificate was written to %s.\n", path)
	fmt.Fprintf(a.stdout, "Upload it to the IdP (Entra ID: Certificates & secrets > Certificates; Keycloak: Keys tab),\n")
	fmt.Fprintf(a.stdout, "or register the JWK below (Okta, oidc-provider). Then: credctl test %s\n\n", shellQuote(saved.Name))
	return writeCertificateInfo(a.stdout, km.Cert)
}

// certFileName makes NAME.crt from a profile name (which may hold spaces).
func certFileName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '&' {
			return '_'
		}
		return r
	}, name) + ".crt"
}

// writeCertificateInfo prints the thumbprints as the IdPs show them, and
// the JWK.
func writeCertificateInfo(w io.Writer, cert *x509.Certificate) error {
	tp := credentials.CertThumbprints(cert)
	kid, _ := oauthflow.KeyID(cert.PublicKey)
	jwk, err := oauthflow.PublicJWK(cert)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "Thumbprint (Entra ID, SHA-1):\t%s\n", tp.SHA1Hex)
	fmt.Fprintf(tw, "SHA-256 fingerprint:\t%s\n", tp.SHA256Hex)
	fmt.Fprintf(tw, "x5t / x5t#S256:\t%s / %s\n", tp.X5t, tp.X5tS256)
	fmt.Fprintf(tw, "Key ID (kid, Okta):\t%s\n", kid)
	fmt.Fprintf(tw, "Public JWK:\t%s\n", jwk)
	return tw.Flush()
}

// certificateJSON describes a profile's private_key_jwt certificate.
type certificateJSON struct {
	Subject        string    `json:"subject"`
	NotAfter       time.Time `json:"notAfter"`
	SHA1Thumbprint string    `json:"sha1Thumbprint"`
	X5tS256        string    `json:"x5tS256"`
	KeyID          string    `json:"keyId"`
	PrivateKeySet  bool      `json:"privateKeySet"`
	Algorithm      string    `json:"algorithm,omitempty"`
	Headers        string    `json:"headers,omitempty"`
	Audience       string    `json:"audience,omitempty"`
}

func toCertificateJSON(p credentials.Profile) *certificateJSON {
	if p.Certificate == "" {
		return nil
	}
	c, err := credentials.ParseCertificatePEM(p.Certificate)
	if err != nil {
		return nil
	}
	tp := credentials.CertThumbprints(c)
	kid, _ := oauthflow.KeyID(c.PublicKey)
	return &certificateJSON{Subject: c.Subject.String(), NotAfter: c.NotAfter.UTC(), SHA1Thumbprint: tp.SHA1Hex,
		X5tS256: tp.X5tS256, KeyID: kid, PrivateKeySet: p.HasPrivateKey,
		Algorithm: p.AssertionAlg, Headers: p.AssertionHeaders, Audience: p.AssertionAudience}
}
