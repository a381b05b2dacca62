// IdP secret lifecycle (#26): what a management API needs from the test IdP.
//
// Settings (cfg.features.management, testidp.WithManagement):
//   resource, scopes      a management API audience and its scopes (Okta's
//                         okta.apps.read / okta.apps.manage); the management
//                         clients get JWT access tokens for it by default.
//   clients               IDs of the management clients (service accounts
//                         whose roles go into roles, realm_access.roles and
//                         resource_access["realm-management"].roles, as
//                         Keycloak puts realm-management's manage-clients).
//   issueSecretOnUpdate   an RFC 7592 PUT issues a new client_secret (as some
//                         IdPs do); oidc-provider itself keeps the secret.
//   secretTTL             seconds: dynamic registrations' secrets expire
//                         (client_secret_expires_at); 0 = never.
//
// Dynamic client registration (RFC 7591) at /reg needs the initial access
// token GET /__test/registration hands out (an adapter-stored one, so its
// policy also governs later RFC 7592 updates); client configuration
// management (RFC 7592) at /reg/{client_id} rotates the registration access
// token on every PUT (rotateRegistrationAccessToken).
//
// Test endpoints:
//   GET  /__test/registration            → {initialAccessToken, issueSecretOnUpdate}
//   POST /__test/registration            issueSecretOnUpdate=true|false
//   GET  /__test/client-secrets?client_id=ID → {client_id, secrets}
//   POST /__test/client-secrets          client_id=ID and add=S / remove=S / set=S (repeatable)
// The secrets endpoint edits the configured (static) clients; dynamic
// registrations keep oidc-provider's own single-secret comparison.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const POLICY = 'credworkbench-management';
const digest = (s) => createHash('sha256').update(String(s)).digest();
const settingsOf = (cfg) => cfg.features?.management;

let issueSecretOnUpdate = false;
let initialAccessToken = null;
let theProvider = null;

export function configure(conf, cfg) {
  const s = settingsOf(cfg);
  if (!s) return;
  issueSecretOnUpdate = !!s.issueSecretOnUpdate;
  const mgmtClients = new Set(s.clients || []);
  const mgmtScopes = String(s.scopes || '').split(' ').filter(Boolean);

  if (s.resource) {
    conf.scopes = [...new Set([...conf.scopes, ...mgmtScopes])];
    const ri = conf.features.resourceIndicators;
    const defaultResource = ri.defaultResource;
    ri.defaultResource = async (ctx, client, oneOf) => (
      !oneOf && mgmtClients.has(client.clientId) ? s.resource : defaultResource(ctx, client, oneOf));
    const info = ri.getResourceServerInfo;
    ri.getResourceServerInfo = async (ctx, indicator, client) => (indicator === s.resource
      ? {
        scope: mgmtScopes.join(' '),
        audience: s.resource,
        accessTokenTTL: cfg.accessTokenTTL,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }
      : info(ctx, indicator, client));
  }

  // Keycloak's service accounts carry client roles under resource_access.
  const extra = conf.extraTokenClaims;
  conf.extraTokenClaims = async (ctx, token) => {
    const claims = await extra(ctx, token);
    if (claims && !token.accountId && mgmtClients.has(token.clientId)) {
      claims.resource_access = { 'realm-management': { roles: claims.roles || [] } };
    }
    return claims;
  };

  conf.features.registration = {
    enabled: true,
    initialAccessToken: true, // adapter-stored: it carries POLICY
    issueRegistrationAccessToken: true,
    policies: {
      [POLICY]: (ctx, properties) => {
        const updating = ctx.method === 'PUT';
        if (updating && issueSecretOnUpdate) {
          // The stored secret was copied in: replace it, as IdPs that
          // rotate on update do (the old one stops working at once).
          properties.client_secret = randomBytes(32).toString('base64url');
        }
        if (s.secretTTL && (!updating || issueSecretOnUpdate)) {
          properties.client_secret_expires_at = Math.floor(Date.now() / 1000) + s.secretTTL;
        }
      },
    },
  };
  conf.features.registrationManagement = { enabled: true, rotateRegistrationAccessToken: true };
}

export function attach(provider, cfg, ctx) {
  if (!settingsOf(cfg)) return;
  // server.mjs's allowSeveralSecrets compares with the configured clients;
  // a dynamic registration is not among them: use its stored secret.
  const several = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = function compareClientSecret(actual) {
    if (ctx.clients.has(this.clientId)) return several.call(this, actual);
    return !!this.clientSecret && timingSafeEqual(digest(this.clientSecret), digest(actual));
  };
  theProvider = provider;
}

export async function testEndpoint(req, res, url, ctx) {
  const json = (status, body) => ctx.send(res, status, 'application/json', JSON.stringify(body));
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /__test/registration': {
      if (!theProvider) {
        json(404, { error: 'not_found', error_description: 'management is not configured (testidp.WithManagement)' });
        return true;
      }
      initialAccessToken ??= await new theProvider.InitialAccessToken({ policies: [POLICY] }).save();
      json(200, { initialAccessToken, issueSecretOnUpdate });
      return true;
    }
    case 'POST /__test/registration': {
      const form = await ctx.readForm(req);
      if (form.has('issueSecretOnUpdate')) issueSecretOnUpdate = form.get('issueSecretOnUpdate') === 'true';
      json(200, { issueSecretOnUpdate });
      return true;
    }
    case 'GET /__test/client-secrets': {
      const id = url.searchParams.get('client_id') || '';
      const client = ctx.clients.get(id);
      if (!client) json(404, { error: 'not_found', error_description: `no configured client ${id}` });
      else json(200, { client_id: id, secrets: client.secrets || [] });
      return true;
    }
    case 'POST /__test/client-secrets': {
      const form = await ctx.readForm(req);
      const id = form.get('client_id') || '';
      const client = ctx.clients.get(id);
      if (!client) {
        json(404, { error: 'not_found', error_description: `no configured client ${id}` });
        return true;
      }
      let secrets = client.secrets || [];
      if (form.has('set')) secrets = form.getAll('set').filter(Boolean);
      for (const s of form.getAll('add')) if (s && !secrets.includes(s)) secrets = [...secrets, s];
      const gone = new Set(form.getAll('remove'));
      client.secrets = secrets.filter((s) => !gone.has(s));
      ctx.log('client secrets of', id, 'now', client.secrets.length);
      json(200, { client_id: id, count: client.secrets.length });
      return true;
    }
    default:
      return false;
  }
}
