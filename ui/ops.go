// Package ui is the Fyne workbench: the credentials table, the details pane,
// the add/edit form and the dialogs. It holds no OAuth or storage logic: it
// reads and changes profiles and transports only through oauthflow.Service,
// the same operations credctl uses.
package ui

import (
	"context"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Operations is what the workbench asks of oauthflow.Service. It is an
// interface so a behaviour test can swap in a fake where a real IdP is not
// the point (e.g. to hold a Test in flight).
type Operations interface {
	Profile(nameOrID string) (credentials.Profile, error)
	Save(p credentials.Profile, ch credentials.SecretChange) (credentials.Profile, error)
	// Delete is asked with Force once the user agreed to leave the
	// profile's transports without a credential (the dialog names them).
	Delete(nameOrID string, opt oauthflow.DeleteOptions) error
	Test(ctx context.Context, nameOrID string) (oauthflow.Result, error)
	TestAll(ctx context.Context, concurrency int) ([]oauthflow.Result, error)
	Login(ctx context.Context, nameOrID string, opts oauthflow.LoginOptions) (oauthflow.Result, error)
	Logout(ctx context.Context, nameOrID string) error
	// LogoutWith can end the IdP's browser session as well (logout.go).
	LogoutWith(ctx context.Context, nameOrID string, opt oauthflow.LogoutOptions) (oauthflow.LogoutResult, error)
	RotateSecret(ctx context.Context, nameOrID, newSecret string, opt oauthflow.RotateOptions) (oauthflow.Result, error)
	Discover(ctx context.Context, p credentials.Profile) (oauthflow.Endpoints, error)
	Status(nameOrID string) (oauthflow.Result, error)
	// CurrentToken is what the token store holds for the profile now (the
	// in-memory token, else the shared store's), without fetching.
	CurrentToken(nameOrID string) (*oauthflow.TokenInfo, bool)
	Request(ctx context.Context, nameOrID string, spec oauthflow.RequestSpec) (*oauthflow.Response, error)
	Subscribe(fn func(oauthflow.Event)) (cancel func())
	// View is the stored profiles, read-only (the table's rows point
	// into it); StorePath is the profile file.
	View() ([]credentials.Profile, error)
	StorePath() string
	// Transports are the saved API calls; every change publishes an event.
	Transports() *oauthflow.Transports
	// Import, StartFresh and the keyring check go through the service so
	// they publish events, as credctl's do.
	ParseImport(data []byte, def credentials.ImportDefaults) ([]credentials.ImportEntry, error)
	Import(entries []credentials.ImportEntry, skipInvalid bool) (credentials.ImportSummary, error)
	StartFresh() (kept string, err error)
	CheckKeyring() error
	// DPoP is the profiles' DPoP keys (the details pane's thumbprint).
	DPoP() *oauthflow.DPoPKeys
}

var _ Operations = (*oauthflow.Service)(nil)
