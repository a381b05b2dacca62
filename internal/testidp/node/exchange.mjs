// Derived grants for the test IdP (#28): oidc-provider has neither token
// exchange (RFC 8693) nor the JWT bearer grant (RFC 7523 §2.1), so both are
// registered with provider.registerGrantType. Switched on by
// testidp.WithTokenExchange (cfg.features.exchange):
//   { audiences: [extra audiences a token may be exchanged for] }
// Subject and actor tokens must be this provider's own JWT access tokens
// (signature against its JWKS, issuer, expiry); the issued token carries
// the subject's sub and, with an actor token, act: { sub } (RFC 8693 §4.1).
// A JWT bearer assertion is verified against the client's registered jwks
// (iss = sub-of-client = client_id, aud = token endpoint or issuer, exp,
// single-use jti). Refusals are RFC 8693 §2.2.2 / RFC 6749 §5.2 errors.

import { createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
import { errors } from 'oidc-provider';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TT = 'urn:ietf:params:oauth:token-type:';

export const name = 'exchange';

// The act claim and the like of the token being issued: extraTokenClaims
// reads them from the request context.
const extraKey = Symbol('exchange-claims');

export function configure(conf, cfg) {
  if (!cfg.features?.exchange) return;
  const base = conf.extraTokenClaims;
  conf.extraTokenClaims = async (ctx, token) => ({ ...(await base(ctx, token)), ...(ctx?.[extraKey] || {}) });
}

export function attach(provider, cfg, mctx) {
  const settings = cfg.features?.exchange;
  if (!settings) return;
  const ownKeys = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));
  const audiences = new Set([cfg.resource, ...(settings.audiences || [])]);
  const seenJti = new Set();
  const scopes = cfg.resourceScopes.split(' ').filter(Boolean);

  const ownToken = async (value, what) => {
    if (!value) throw new errors.InvalidRequest(`${what} missing`);
    try {
      const { payload } = await jwtVerify(value, ownKeys, { issuer: provider.issuer });
      return payload;
    } catch (err) {
      throw new errors.InvalidGrant(`${what} is invalid (${err.code || err.message})`);
    }
  };

  // The audience (RFC 8693 audience, or RFC 8707 resource) of the new token.
  const target = (params) => {
    const first = (v) => (Array.isArray(v) ? v[0] : v);
    const aud = first(params.audience) || first(params.resource) || cfg.resource;
    if (!audiences.has(aud)) throw new errors.InvalidTarget(`the token may not be exchanged for ${aud}`);
    return aud;
  };

  const grantedScope = (params, fallback) => {
    const asked = (params.scope || fallback || '').split(' ').filter(Boolean);
    const unknown = asked.filter((s) => !scopes.includes(s));
    if (params.scope && unknown.length) throw new errors.InvalidScope('requested scope is not allowed', unknown.join(' '));
    return asked.filter((s) => scopes.includes(s)).join(' ') || undefined;
  };

  const issue = async (ctx, { accountId, aud, scope, extra, gty }) => {
    const token = new provider.AccessToken({
      accountId, client: ctx.oidc.client, scope, gty,
      resourceServer: {
        audience: aud, scope: scopes.join(' '), accessTokenTTL: cfg.accessTokenTTL,
        accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } },
      },
    });
    ctx[extraKey] = extra;
    const value = await token.save();
    return { token, value };
  };

  provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
    const { params } = ctx.oidc;
    if (params.subject_token_type !== `${TT}access_token` && params.subject_token_type !== `${TT}jwt`) {
      throw new errors.InvalidRequest('unsupported subject_token_type');
    }
    const requested = params.requested_token_type || `${TT}access_token`;
    if (requested !== `${TT}access_token` && requested !== `${TT}jwt`) {
      throw new errors.InvalidRequest(`requested_token_type ${requested} is not supported`);
    }
    const subject = await ownToken(params.subject_token, 'subject_token');
    const extra = {};
    if (params.actor_token) {
      if (!params.actor_token_type) throw new errors.InvalidRequest('actor_token_type missing');
      const actor = await ownToken(params.actor_token, 'actor_token');
      extra.act = { sub: actor.sub, ...(actor.act ? { act: actor.act } : {}) };
    }
    const aud = target(params);
    const { token, value } = await issue(ctx, {
      accountId: subject.sub, aud, scope: grantedScope(params, subject.scope), extra, gty: 'token-exchange',
    });
    mctx.log('token exchange for', subject.sub, 'as', ctx.oidc.client.clientId, 'to', aud);
    ctx.body = {
      access_token: value, issued_token_type: requested, token_type: 'Bearer',
      expires_in: token.expiration, scope: token.scope,
    };
  }, ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
  ['audience', 'resource']);

  provider.registerGrantType(JWT_BEARER, async (ctx) => {
    const { params, client } = ctx.oidc;
    if (!params.assertion) throw new errors.InvalidRequest('assertion missing');
    const keys = mctx.clients.get(client.clientId)?.jwks;
    if (!keys?.keys?.length) throw new errors.InvalidGrant('the client has no registered keys to verify the assertion');
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(params.assertion, createLocalJWKSet(keys), {
        issuer: client.clientId,
        audience: [provider.issuer, `${provider.issuer}/token`],
        maxTokenAge: '1h',
        requiredClaims: ['sub', 'exp', 'jti'],
      }));
    } catch (err) {
      throw new errors.InvalidGrant(`the assertion is invalid (${err.code || err.message})`);
    }
    if (seenJti.has(claims.jti)) throw new errors.InvalidGrant('the assertion was used before (jti)');
    seenJti.add(claims.jti);
    const { token, value } = await issue(ctx, {
      accountId: claims.sub, aud: target(params), scope: grantedScope(params, scopes.join(' ')), extra: {}, gty: 'jwt-bearer',
    });
    ctx.body = {
      access_token: value, token_type: 'Bearer', expires_in: token.expiration, scope: token.scope,
    };
  }, ['assertion', 'scope', 'audience', 'resource'], ['audience', 'resource']);
}
