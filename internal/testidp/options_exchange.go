package testidp

// Derived grants (#28, node/exchange.mjs).

// The grant types exchange.mjs registers.
const (
	TokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange" // #nosec G101 -- a grant type name
	JWTBearerGrant     = "urn:ietf:params:oauth:grant-type:jwt-bearer"     // #nosec G101 -- a grant type name
)

// ExchangeAudience is an audience besides Resource that tokens may be
// exchanged for (an API of its own).
const ExchangeAudience = "https://orders.credworkbench.test"

// ExchangeSettings configure exchange.mjs.
type ExchangeSettings struct {
	// Audiences a token may be exchanged for besides Resource.
	Audiences []string `json:"audiences"`
}

// WithTokenExchange registers the token exchange and JWT bearer grants;
// clients use them when their GrantTypes name them.
func WithTokenExchange() Option {
	return WithFeature("exchange", ExchangeSettings{Audiences: []string{ExchangeAudience}})
}
