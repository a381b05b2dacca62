// Pushed authorization requests (RFC 9126) and signed request objects
// (RFC 9101) for the test IdP. Off unless the Go side passes settings
// (testidp.WithPAR): then PAR is on (or off: {off: true}, an IdP without the
// endpoint), required of every client when {require: true}, and request
// objects are accepted (required of every client when
// {requireRequestObject: true}). Clients that require either on their own
// carry require_pushed_authorization_requests / require_signed_request_object
// in their metadata (testidp.PARClient, testidp.RequestObjectClient).

export const name = 'par';

export function configure(conf, cfg) {
  const s = cfg.features?.par;
  if (!s) return;
  conf.features.pushedAuthorizationRequests = {
    enabled: !s.off,
    requirePushedAuthorizationRequests: !!s.require,
    allowUnregisteredRedirectUris: false,
  };
  conf.features.requestObjects = {
    enabled: true,
    requireSignedRequestObject: !!s.requireRequestObject,
  };
}

// Counts what the PAR endpoint took, so tests can tell the browser URL
// did not carry the parameters: GET /__test/par.
const seen = { pushed: 0, withRequest: 0, refused: 0 };

export function attach(provider, cfg) {
  if (!cfg.features?.par) return;
  provider.on('pushed_authorization_request.success', (ctx) => {
    seen.pushed += 1;
    if (ctx.oidc.body?.request) seen.withRequest += 1;
  });
  provider.on('pushed_authorization_request.error', () => { seen.refused += 1; });
}

export async function testEndpoint(req, res, url, ctx) {
  if (url.pathname !== '/__test/par') return false;
  ctx.send(res, 200, 'application/json', JSON.stringify(seen));
  return true;
}
