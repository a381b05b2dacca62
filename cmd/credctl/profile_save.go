package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// saveProfile is what add and edit do once p holds the flags: read the
// secrets (and the --certificate file) the flags ask for, save, warn about
// TLS verification off.
func (a *app) saveProfile(svc *oauthflow.Service, p credentials.Profile, f *profileFlags, certLater bool) (credentials.Profile, error) {
	if err := f.mgmt.resolve(svc, &p); err != nil { // #26
		return credentials.Profile{}, err
	}
	ch, err := a.secretChanges(&p, f)
	if err != nil {
		return credentials.Profile{}, err
	}
	ch.CertificateLater = certLater
	saved, err := svc.Save(p, ch)
	if err != nil {
		return credentials.Profile{}, err
	}
	a.warnInsecure(saved)
	return saved, f.mgmt.store(svc, saved) // #26

}

// secretChanges reads the secrets the flags ask for, and the --certificate
// file: its certificate goes into p, its key into the change.
func (a *app) secretChanges(p *credentials.Profile, f *profileFlags) (credentials.SecretChange, error) {
	var ch credentials.SecretChange
	var prompts []secretPrompt
	if f.secretStdin {
		prompts = append(prompts, secretPrompt{"client secret", credentials.FieldClientSecret})
	}
	if f.proxyPassStdin {
		prompts = append(prompts, secretPrompt{"proxy password", credentials.FieldProxy})
	}
	if f.certPassStdin {
		prompts = append(prompts, secretPrompt{"certificate password", credentials.FieldCertificate})
	}
	prompts = append(prompts, f.mgmt.prompts()...) // #26: read last
	certPass := ""
	if len(prompts) > 0 {
		vals, err := a.readSecrets(p.Name, prompts...)
		if err != nil {
			return ch, err
		}
		i := 0
		if f.secretStdin {
			ch.ClientSecret = &vals[i]
			i++
		}
		if f.proxyPassStdin {
			ch.ProxyPassword = &vals[i]
			i++
		}
		if f.certPassStdin {
			certPass = vals[i]
			i++
		}
		f.mgmt.take(vals[i:])
	}
	if f.given("certificate") {
		key, err := loadCertificate(p, f.certFile, certPass)
		if err != nil {
			return ch, err
		}
		ch.PrivateKey = &key
	}
	if f.clearSecret {
		ch.ClientSecret = credentials.Secret("")
	}
	if f.clearProxyPass {
		ch.ProxyPassword = credentials.Secret("")
	}
	return ch, nil
}

// precheck validates a new profile without touching the keyring or file.
// With a certificate coming, the certificate itself is checked when read.
func precheck(others []credentials.Profile, p credentials.Profile, secretComing, certComing, certLater bool) error {
	p.Normalize()
	err := credentials.Validate(p, credentials.ValidateOptions{Others: others, HasSecret: secretComing, HasPrivateKey: certComing, CertificateLater: certLater})
	var ve *credentials.ValidationError
	if certComing && errors.As(err, &ve) {
		kept := ve.Fields[:0]
		for _, fe := range ve.Fields {
			if fe.Field != credentials.FieldCertificate {
				kept = append(kept, fe)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		ve.Fields = kept
	}
	return err
}

func (a *app) warnInsecure(p credentials.Profile) {
	if p.TLS.InsecureSkipVerify {
		fmt.Fprintf(a.stderr, "Warning: TLS verification is off for %q: anyone on the network path can impersonate the IdP. Use --ca-file instead.\n", p.Name)
	}
}

// testAfterSave tests a just-saved Application profile, as the workbench's
// Save does, and reports its status. The profile is saved either way, so a
// failed test is reported, not an error of the command.
func (a *app) testAfterSave(svc *oauthflow.Service, p credentials.Profile) {
	res, err := svc.Test(a.ctx, p.ID)
	if err != nil {
		fmt.Fprintf(a.stderr, "Warning: the profile was saved but could not be tested: %v\n", err)
		return
	}
	a.writeResults([]oauthflow.Result{res}, time.Now())
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// shellQuote quotes a profile name for a command the user can paste.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"&\\$`;|<>()*?[]!#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
