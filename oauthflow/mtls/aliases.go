package mtls

import (
	"fmt"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// Alias names of mtls_endpoint_aliases (RFC 8705 §5) the product uses.
const (
	AliasToken         = "token_endpoint"
	AliasRevocation    = "revocation_endpoint"
	AliasDevice        = "device_authorization_endpoint"
	AliasUserinfo      = "userinfo_endpoint"
	AliasIntrospection = "introspection_endpoint"
	AliasPAR           = "pushed_authorization_request_endpoint"
)

// Aliased returns e with the endpoints a profile that presents its
// certificate calls replaced by the IdP's mtls_endpoint_aliases, where it
// publishes them: IdPs that ask for client certificates only on another
// host or port (Keycloak behind a proxy, Okta, Ping) name it there. Each
// alias is held to the rule of a typed-in endpoint (https; plain http only
// on loopback), as discovered endpoints are.
func Aliased(p credentials.Profile, e idp.Endpoints) (idp.Endpoints, *failure.Failure) {
	if !p.PresentsCertificate() || len(e.MTLSAliases) == 0 {
		return e, nil
	}
	for _, a := range []struct {
		name string
		dst  *string
	}{{AliasToken, &e.TokenURL}, {AliasRevocation, &e.RevocationURL}, {AliasDevice, &e.DeviceAuthURL}, {AliasUserinfo, &e.UserinfoURL}} {
		v := e.MTLSAliases[a.name]
		if v == "" {
			continue
		}
		if msg := credentials.CheckEndpointURL("The discovered mtls_endpoint_aliases "+a.name, v); msg != "" {
			return e, &failure.Failure{Category: failure.CatEndpoint, Message: fmt.Sprintf("the discovery document of %s is refused: %s "+
				"(it names %s); nothing was sent. Ask the IdP's administrator to publish https endpoints, or enter the endpoints by hand",
				e.Issuer, msg[:len(msg)-1], failure.Sanitize(v, 200))}
		}
		*a.dst = v
	}
	return e, nil
}
