package credentials

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// TransportType is the kind of call a transport makes.
type TransportType string

const (
	TransportHTTP   TransportType = "HTTP"
	TransportWSSOAP TransportType = "WS_SOAP"
)

// Label is the type as the documentation names it.
func (t TransportType) Label() string { return string(t) }

// Authorization says whether a transport sends a credential's token.
type Authorization string

const (
	AuthNone       Authorization = "None"
	AuthCredential Authorization = "Credential"
)

// TokenPlacement says where a WS_SOAP transport puts the token.
type TokenPlacement string

const (
	// TokenInHeader sends Authorization: Bearer (the default, also for HTTP).
	TokenInHeader TokenPlacement = "header"
	// TokenInWSSE puts the JWT in a wsse:Security / wsse:BinarySecurityToken
	// SOAP header, for services that read it there.
	TokenInWSSE TokenPlacement = "wsse"
)

// SOAP versions of a WS_SOAP transport.
const (
	SOAPVersion11 = "1.1"
	SOAPVersion12 = "1.2"
)

// DefaultTransportTimeout bounds a run when the transport sets none.
const DefaultTransportTimeout = 30 * time.Second

// MaxTransportTimeout keeps a forgotten run from hanging for hours.
const MaxTransportTimeout = 10 * time.Minute

// Transport field names, for validation messages.
const (
	FieldTransportName = "name"
	FieldTransportType = "type"
	FieldURL           = "url"
	FieldMethod        = "method"
	FieldHeaders       = "headers"
	FieldBody          = "body"
	FieldSOAPVersion   = "soapVersion"
	FieldSOAPAction    = "soapAction"
	FieldTimeout       = "timeout"
	FieldAuthorization = "authorization"
	FieldCredential    = "credential"
	FieldTokenIn       = "tokenIn"
)

// Header is one request header of a transport, kept in the order given.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Transport is a saved, named call that may use a credential. It holds no
// secret: the token comes from its profile at run time, and headers that
// carry credentials are refused by ValidateTransport.
type Transport struct {
	ID   string        `json:"id,omitempty"` // empty in exports
	Name string        `json:"name"`
	Type TransportType `json:"type"`
	URL  string        `json:"url"`
	// Method of an HTTP transport; WS_SOAP always POSTs.
	Method  string   `json:"method,omitempty"`
	Headers []Header `json:"headers,omitempty"`
	// Body is the request body; BodyFile, when set, is read at run time instead.
	Body     string `json:"body,omitempty"`
	BodyFile string `json:"bodyFile,omitempty"`

	SOAPVersion string `json:"soapVersion,omitempty"`
	SOAPAction  string `json:"soapAction,omitempty"`

	Timeout Duration `json:"timeout,omitempty"`

	Authorization Authorization `json:"authorization"`
	// ProfileID links the credential; renaming the profile keeps the link.
	ProfileID string `json:"profileId,omitempty"`
	// ProfileName is used only in export files, where IDs are not kept.
	ProfileName string         `json:"profile,omitempty"`
	TokenIn     TokenPlacement `json:"tokenIn,omitempty"`

	TransportBookkeeping
}

// TransportBookkeeping is what the app records about a transport; exports
// leave it out.
type TransportBookkeeping struct {
	Revision  int       `json:"revision,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	LastRun   RunRecord `json:"lastRun,omitzero"`
	// HostNotices are the hosts, not its credential's audience or resource
	// hosts, that a run was told about once: the notice is not repeated.
	HostNotices []string `json:"hostNotices,omitempty"`
}

// RunRecord is the outcome of a transport's last run.
type RunRecord struct {
	At         time.Time `json:"at,omitzero"`
	OK         bool      `json:"ok,omitempty"`
	StatusCode int       `json:"statusCode,omitempty"`
	DurationMS int64     `json:"durationMs,omitempty"`
	Error      string    `json:"error,omitempty"`    // why it failed, never a token
	Category   string    `json:"category,omitempty"` // the failure's category
	AsUser     string    `json:"asUser,omitempty"`   // the User profile it ran as, if not its own
}

// Normalize trims whitespace and fills defaults. It does not validate.
func (t *Transport) Normalize() {
	for _, s := range []*string{&t.Name, &t.URL, &t.Method, &t.BodyFile, &t.SOAPVersion, &t.SOAPAction, &t.ProfileID, &t.ProfileName} {
		*s = strings.TrimSpace(*s)
	}
	t.Type = TransportType(strings.ToUpper(strings.TrimSpace(string(t.Type))))
	if t.Type == "WS-SOAP" || t.Type == "WSSOAP" || t.Type == "SOAP" {
		t.Type = TransportWSSOAP
	}
	t.Method = strings.ToUpper(t.Method)
	switch t.Type {
	case TransportWSSOAP:
		t.Method = http.MethodPost
		if t.SOAPVersion == "" {
			t.SOAPVersion = SOAPVersion11
		}
	case TransportHTTP:
		if t.Method == "" {
			t.Method = http.MethodGet
		}
		t.SOAPVersion, t.SOAPAction = "", ""
	}
	if t.Authorization == "" {
		t.Authorization = AuthNone
		if t.ProfileID != "" || t.ProfileName != "" {
			t.Authorization = AuthCredential
		}
	}
	if t.TokenIn == "" {
		t.TokenIn = TokenInHeader
	}
	for i := range t.Headers {
		t.Headers[i].Name = strings.TrimSpace(t.Headers[i].Name)
		t.Headers[i].Value = strings.TrimSpace(t.Headers[i].Value)
	}
}

// RunTimeout is the timeout a run uses.
func (t Transport) RunTimeout() time.Duration {
	if t.Timeout <= 0 {
		return DefaultTransportTimeout
	}
	return t.Timeout.D()
}

// Config returns the transport without its bookkeeping.
func (t Transport) Config() Transport {
	t.TransportBookkeeping = TransportBookkeeping{}
	t.Headers = append([]Header(nil), t.Headers...)
	return t
}

// HTTPHeader returns the headers as an http.Header.
func (t Transport) HTTPHeader() http.Header {
	h := http.Header{}
	for _, kv := range t.Headers {
		h.Add(kv.Name, kv.Value)
	}
	return h
}

// secretHeaders carry credentials; a transport gets its token from its
// profile, so none of them may be saved in the file.
var secretHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true,
	"X-Api-Key": true, "Api-Key": true, "X-Auth-Token": true,
}

// secretQueryParams carry tokens in URLs (RFC 6750 §2.3 and common API keys).
var secretQueryParams = []string{"access_token", "id_token", "refresh_token", "client_secret", "api_key", "apikey", "code"}

// TransportValidateOptions are what validation checks a transport against.
type TransportValidateOptions struct {
	Others   []Transport // for name uniqueness
	Profiles []Profile   // the credential must be one of these
}

// ValidateTransport checks t; the error is a *ValidationError with one
// message per field. Messages never repeat a header value or a URL's
// query, which could hold a secret the user pasted by mistake.
func ValidateTransport(t Transport, opt TransportValidateOptions) error {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		for _, e := range errs {
			if e.Field == field {
				return
			}
		}
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if msg := nameProblem(t.Name); msg != "" {
		add(FieldTransportName, "%s", msg)
	}
	for _, o := range opt.Others {
		if o.ID != t.ID && SameName(o.Name, t.Name) {
			add(FieldTransportName, "A transport named %q already exists (names are compared ignoring case).", o.Name)
		}
	}
	switch t.Type {
	case TransportHTTP, TransportWSSOAP:
	case "":
		add(FieldTransportType, "Type is required: HTTP or WS_SOAP.")
	default:
		add(FieldTransportType, "Type must be HTTP or WS_SOAP, not %q.", string(t.Type))
	}
	if msg := checkTransportURL(t.URL); msg != "" {
		add(FieldURL, "%s", msg)
	}
	if t.Type == TransportHTTP && !isHeaderToken(t.Method) {
		add(FieldMethod, "Method %q is not an HTTP method (GET, POST, PUT, PATCH, DELETE, …).", t.Method)
	}
	for _, h := range t.Headers {
		name := textproto.CanonicalMIMEHeaderKey(h.Name)
		switch {
		case !isHeaderToken(h.Name):
			add(FieldHeaders, "Header name %q is not a valid HTTP header name.", h.Name)
		case secretHeaders[name]:
			add(FieldHeaders, "The %s header carries a secret, and a transport keeps none: set Authorization to Credential and pick the profile instead.", name)
		case strings.ContainsAny(h.Value, "\r\n"):
			add(FieldHeaders, "The value of header %s must be one line.", name)
		}
	}
	if t.Body != "" && t.BodyFile != "" {
		add(FieldBody, "Give the body as text or as a file, not both.")
	}
	if t.Type == TransportWSSOAP {
		if t.SOAPVersion != SOAPVersion11 && t.SOAPVersion != SOAPVersion12 {
			add(FieldSOAPVersion, "SOAP version must be 1.1 or 1.2, not %q.", t.SOAPVersion)
		}
		if strings.ContainsAny(t.SOAPAction, "\"\r\n") {
			add(FieldSOAPAction, "SOAP action must be one line without quotes.")
		}
	}
	if t.Timeout < 0 || t.Timeout.D() > MaxTransportTimeout {
		add(FieldTimeout, "Timeout must be between 1s and %s.", MaxTransportTimeout)
	} else if t.Timeout != 0 && t.Timeout.D() < time.Second {
		add(FieldTimeout, "Timeout must be at least 1s.")
	}
	switch t.Authorization {
	case AuthNone:
	case AuthCredential:
		// A missing profile is allowed: the profile may have been deleted,
		// and the transport then shows "no credential" rather than failing
		// to save. A link to a profile that never existed is a mistake.
		if t.ProfileID != "" && opt.Profiles != nil {
			if _, err := find(opt.Profiles, t.ProfileID); err != nil {
				add(FieldCredential, "No profile with ID %q exists; pick one of the profiles.", t.ProfileID)
			}
		}
	default:
		add(FieldAuthorization, "Authorization must be None or Credential, not %q.", string(t.Authorization))
	}
	switch t.TokenIn {
	case TokenInHeader:
	case TokenInWSSE:
		if t.Type != TransportWSSOAP {
			add(FieldTokenIn, "The token can go in a WS-Security header only for WS_SOAP transports.")
		}
	default:
		add(FieldTokenIn, "Token placement must be header or wsse, not %q.", string(t.TokenIn))
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

func checkTransportURL(raw string) string {
	if raw == "" {
		return "URL is required."
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "URL is not a valid URL."
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "URL must start with https:// or http://."
	}
	if u.Hostname() == "" {
		return "URL has no host."
	}
	if u.User != nil {
		return "URL must not carry a user or password: a transport keeps no secret."
	}
	q := u.Query()
	for _, k := range secretQueryParams {
		if q.Has(k) {
			return fmt.Sprintf("URL must not carry %s in its query: a transport keeps no secret; set Authorization to Credential instead.", k)
		}
	}
	return ""
}
