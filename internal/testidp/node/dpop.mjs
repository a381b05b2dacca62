// DPoP (RFC 9449) for the test IdP, switched on by testidp.WithDPoP:
// features.dPoP with nonces (a nonce secret; requireNonce as the Go side
// says), DPoP-bound access tokens for clients with dpop_bound_access_tokens.
// Tests can make the token endpoint insist on a nonce (POST /__test/dpop
// insist=N: the next N proofs are answered use_dpop_nonce with a new nonce)
// or refuse proofs (refuse=N: invalid_dpop_proof).
import { randomBytes } from 'node:crypto';

let insist = 0;
let refuse = 0;
let lastNonce = ''; // the provider's latest nonce: a valid one to hand out when insisting

export function configure(conf, cfg) {
  const settings = cfg.features?.dpop;
  if (!settings) return;
  if (settings.off) {
    conf.features.dPoP = { enabled: false }; // oidc-provider's default is on, without nonces
    return;
  }
  conf.features.dPoP = {
    enabled: true,
    nonceSecret: randomBytes(32),
    requireNonce: () => settings.requireNonce !== false,
  };
  if (settings.algs?.length) conf.enabledJWA = { ...(conf.enabledJWA || {}), dPoPSigningAlgValues: settings.algs };
}

export function attach(provider, cfg, ctx) {
  if (!cfg.features?.dpop || cfg.features.dpop.off) return;
  provider.use(async (kctx, next) => {
    if (kctx.path === '/token' && kctx.method === 'POST' && kctx.get('DPoP') && (insist > 0 || refuse > 0)) {
      kctx.set('cache-control', 'no-store');
      kctx.type = 'application/json';
      kctx.status = 400;
      if (refuse > 0) {
        refuse -= 1;
        kctx.body = { error: 'invalid_dpop_proof', error_description: 'invalid DPoP key binding' };
      } else {
        insist -= 1;
        kctx.set('DPoP-Nonce', lastNonce || randomBytes(16).toString('base64url'));
        kctx.body = { error: 'use_dpop_nonce', error_description: 'nonce is required in the DPoP proof' };
      }
      ctx.log('dpop: injected', kctx.body.error);
      return;
    }
    await next();
    const nonce = kctx.response.get('dpop-nonce');
    if (nonce) lastNonce = nonce;
  });
}

export async function testEndpoint(req, res, url, ctx) {
  if (url.pathname !== '/__test/dpop' || req.method !== 'POST') return false;
  const form = await ctx.readForm(req);
  insist = Number(form.get('insist') || 0);
  refuse = Number(form.get('refuse') || 0);
  ctx.send(res, 200, 'application/json', JSON.stringify({ insist, refuse }));
  return true;
}
