// Test identity provider for the Go tests of Credential Workbench.
//
// Usage: node server.mjs CONFIG.json   (or TESTIDP_CONFIG=CONFIG.json node server.mjs)
//
// Starts oidc-provider on 127.0.0.1 (http, or https when the config names a cert
// and key) and prints exactly one JSON line to stdout once it is listening:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT}
// Everything else goes to stderr. The config format is written by testidp.go.

import {
  createHash, generateKeyPairSync, randomBytes, timingSafeEqual,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

import Provider, { errors } from 'oidc-provider';

import * as management from './management.mjs';
import * as dpop from './dpop.mjs';
import * as exchange from './exchange.mjs';
import * as par from './par.mjs';
import * as stepup from './stepup.mjs';
import * as mtls from './mtls.mjs';

// Feature modules (one file each, e.g. dpop.mjs): each may export
//   configure(conf, cfg)          edit the provider configuration
//   attach(provider, cfg, ctx)    after the provider exists (middleware, grant types)
//   testEndpoint(req, res, url, ctx) → true when it answered a /__test/ request
// where ctx = { clients, users, log, send, readForm }. cfg.features[name] holds
// their Go-side settings (testidp.WithFeature).
const featureModules = [
  management, // IdP secret lifecycle (#26)
  dpop,
  exchange,
  par,
  stepup,
  mtls,
];

const log = (...args) => console.error('[testidp]', ...args);

const configPath = process.argv[2] || process.env.TESTIDP_CONFIG;
if (!configPath) {
  log('usage: node server.mjs CONFIG.json');
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(configPath, 'utf8'));

const resource = cfg.resource;
const resourceScopes = cfg.resourceScopes.split(' ').filter(Boolean);
const users = new Map(cfg.users.map((u) => [u.username, u]));
const clients = new Map(cfg.clients.map((c) => [c.client_id, c]));

// Claims shared by ID tokens (users only) and JWT access tokens (users and
// service accounts), so every claim path the workbench supports can be tested.
function claimsFor({ username, name, email, roles = [], tenant }) {
  const claims = {
    preferred_username: username,
    roles,
    realm_access: { roles },
  };
  if (name) claims.name = name;
  if (email) {
    claims.email = email;
    claims.email_verified = true;
  }
  if (tenant) claims.TenantID = tenant;
  return claims;
}

// ---------------------------------------------------------------- statistics
const emptyStats = () => ({
  authorization: 0,
  token: 0,
  revocation: 0,
  introspection: 0,
  userinfo: 0,
  discovery: 0,
  jwks: 0,
  endSession: 0,
  loginSucceeded: 0,
  loginFailed: 0,
  grants: {}, // successful token responses by grant_type
  tokenErrors: {}, // token endpoint error codes (invalid_client, invalid_scope, ...)
});
let stats = emptyStats();
// Injected token endpoint fault: {status, delayMs, remaining}; remaining < 0 = forever.
let fault = null;

const countedPaths = {
  '/auth': 'authorization',
  '/token': 'token',
  '/token/revocation': 'revocation',
  '/token/introspection': 'introspection',
  '/me': 'userinfo',
  '/.well-known/openid-configuration': 'discovery',
  '/jwks': 'jwks',
  '/session/end': 'endSession',
};

const bump = (map, key) => { map[key] = (map[key] || 0) + 1; };

// ---------------------------------------------------------------- provider
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
signingKey.kid = 'testidp-rs256';
signingKey.alg = 'RS256';
signingKey.use = 'sig';

function providerConfig() {
  return {
    clients: cfg.clients.map((c) => {
      const meta = { ...c };
      delete meta.secrets;
      delete meta.service_account;
      delete meta.extra;
      if (c.secrets?.length) {
        meta.client_secret = c.secrets[0];
        meta.token_endpoint_auth_method ??= 'client_secret_basic';
      } else if (!c.jwks) {
        meta.token_endpoint_auth_method = 'none';
      }
      // private_key_jwt clients carry jwks and their method from Go; the
      // provider's replay detection rejects a reused assertion jti.
      return { ...meta, ...(c.extra || {}) };
    }),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    acrValues: mfaAcrValues, // see "multi-factor authentication" below
    // Static scopes: a known scope outside a client's "scope" allowlist is
    // rejected with invalid_scope, unknown scopes are silently dropped.
    scopes: ['openid', 'offline_access', 'profile', 'email', ...resourceScopes],
    claims: {
      // acr and amr: multi-factor authentication below.
      openid: ['sub', 'preferred_username', 'roles', 'realm_access', 'TenantID', 'acr', 'amr'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // Put scope claims into the ID token even though an access token is issued.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() { return { sub, ...claimsFor(user) }; },
      };
    },
    async extraTokenClaims(_ctx, token) {
      if (token.accountId) {
        const user = users.get(token.accountId);
        return user ? claimsFor(user) : undefined;
      }
      const sa = clients.get(token.clientId)?.service_account;
      return sa ? claimsFor(sa) : undefined;
    },
    features: {
      devInteractions: { enabled: false }, // it accepts any login without a password
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      deviceFlow: deviceFlowFeature(), // see "device authorization grant" below
      claimsParameter: { enabled: true }, // see "multi-factor authentication" below
      resourceIndicators: {
        enabled: true,
        // Requests without a resource parameter get the API as audience, so
        // every access token (client credentials and user) is a JWT.
        defaultResource: async (_ctx, _client, oneOf) => (oneOf ? oneOf[0] : resource),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: resourceScopes.join(' '),
            audience: resource,
            accessTokenTTL: cfg.accessTokenTTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // Always issue refresh tokens to clients allowed to use them, even
    // without offline_access, and always rotate them.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: cfg.accessTokenTTL,
      ClientCredentials: cfg.accessTokenTTL,
      IdToken: cfg.accessTokenTTL,
      RefreshToken: cfg.refreshTokenTTL,
      AuthorizationCode: 60,
      DeviceCode: cfg.deviceCodeTTL || 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: () => true,
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Error</h1><p id="error">${esc(out.error)}: ${esc(out.error_description || '')}</p>`);
    },
  };
}

// ---------------------------------------------------------------- RP-initiated logout
// OpenID Connect RP-Initiated Logout 1.0 at /session/end. The confirmation
// page is a plain form (ids for the Go test browser); the success page is
// only seen without a post_logout_redirect_uri.
function withRpInitiatedLogout(conf) {
  conf.features.rpInitiatedLogout = {
    enabled: true,
    async logoutSource(ctx, form) {
      ctx.body = page('Sign out - Credential Workbench Test IdP', `
<h1 id="logout-question">Sign out of the test IdP?</h1>
${form.replace('<form ', '<form data-logout="1" ')}
<button id="logout-yes" type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button id="logout-no" type="submit" form="op.logoutForm">No, stay signed in</button>`);
    },
    async postLogoutSuccessSource(ctx) {
      ctx.body = page('Signed out', '<h1 id="signed-out">You are signed out of the test IdP</h1>');
    },
  };
  return conf;
}

// Several valid secrets per client (secret rotation tests): any of the
// configured secrets authenticates the client.
function allowSeveralSecrets(provider) {
  const digest = (s) => createHash('sha256').update(String(s)).digest();
  provider.Client.prototype.compareClientSecret = function compareClientSecret(actual) {
    const secrets = clients.get(this.clientId)?.secrets || [];
    // Check every secret (no early return) to keep the timing uniform.
    return secrets.reduce((ok, secret) => timingSafeEqual(digest(secret), digest(actual)) || ok, false);
  };
}

// ---------------------------------------------------------------- interactions
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body>${body}</body></html>`;
}

function loginPage(uid, clientId, error) {
  return page('Sign in - Credential Workbench Test IdP', `
<h1>Sign in</h1>
<p>to continue to <strong id="client">${esc(clientId)}</strong></p>
${error ? `<p id="login-error" role="alert">${esc(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label>Username <input id="username" name="username" type="text" required autofocus></label>
  <label>Password <input id="password" name="password" type="password" required></label>
  <label>One-time code (if you have one) <input id="otp" name="otp" type="text" autocomplete="one-time-code"></label>
  <button id="login-submit" type="submit">Sign in</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

// Consent is granted automatically: everything requested is added to the grant.
async function autoConsent(provider, req, res, details) {
  const { prompt, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, {
    mergeWithLastSubmission: true,
  });
}

async function interaction(provider, req, res, url) {
  const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
  if (!m) return send(res, 404, 'text/plain', 'not found');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== m[1]) return send(res, 400, 'text/plain', 'interaction mismatch');
  const { prompt, params } = details;

  if (prompt.name === 'consent') return autoConsent(provider, req, res, details);
  if (prompt.name !== 'login') return send(res, 501, 'text/plain', `prompt ${prompt.name} not supported`);

  if (req.method === 'GET') return send(res, 200, 'text/html; charset=utf-8', loginPage(details.uid, params.client_id));
  if (req.method !== 'POST' || !m[2]) return send(res, 405, 'text/plain', 'method not allowed');

  const form = await readForm(req);
  const user = users.get(form.get('username') || '');
  if (!user || user.password !== form.get('password')) {
    stats.loginFailed += 1;
    log('login rejected for', JSON.stringify(form.get('username')));
    return send(res, 401, 'text/html; charset=utf-8', loginPage(details.uid, params.client_id, 'Invalid username or password.'));
  }
  stats.loginSucceeded += 1;
  return provider.interactionFinished(req, res, { login: { accountId: user.username, ...mfaOutcome(user, form, params) } }, {
    mergeWithLastSubmission: false,
  });
}

// ---------------------------------------------------------------- test endpoints
function testEndpoint(req, res, url) {
  const json = (status, body) => send(res, status, 'application/json', JSON.stringify(body));
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /__test/stats':
      return json(200, stats);
    case 'POST /__test/device':
      return deviceTestEndpoint(req, json);
    case 'POST /__test/reset':
      stats = emptyStats();
      fault = null;
      deviceSlowDown = 0;
      return json(200, stats);
    case 'POST /__test/fault':
      return readForm(req).then((form) => {
        fault = {
          status: Number(form.get('status') || 0),
          delayMs: Number(form.get('delayMs') || 0),
          answerDelayMs: Number(form.get('answerDelayMs') || 0),
          remaining: Number(form.get('count') || -1),
        };
        json(200, fault);
      });
    default:
      return json(404, { error: 'not_found' });
  }
}

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

async function applyFault(req, res) {
  if (!fault || fault.remaining === 0) return false;
  if (fault.remaining > 0) fault.remaining -= 1;
  if (fault.delayMs) await sleep(fault.delayMs);
  // Held back by holdAnswer once the provider has carried the request out.
  if (fault.answerDelayMs) req.holdAnswerMs = fault.answerDelayMs;
  if (!fault.status) return false;
  send(res, fault.status, 'application/json', JSON.stringify({
    error: 'temporarily_unavailable',
    error_description: `injected fault (HTTP ${fault.status})`,
  }));
  return true;
}

// A slow answer (fault answerDelayMs): the grant is carried out, a refresh
// token redeemed and rotated, and only the answer waits, so a client that
// gives up meanwhile has lost the new refresh token.
async function holdAnswer(ctx, next) {
  await next();
  if (ctx.req.holdAnswerMs) await sleep(ctx.req.holdAnswerMs);
}

// ---------------------------------------------------------------- multi-factor authentication
// A user with an "otp" in the config did MFA when the login form carried
// that one-time code: amr ["pwd","otp"] and, as acr, the first requested
// acr value (or urn:credworkbench:loa:mfa). Without it: amr ["pwd"], acr
// urn:credworkbench:loa:pwd. A user with "hideAuthContext" gets neither
// claim (an IdP that cannot prove MFA, like Entra v2.0 ID tokens).
const mfaAcrValues = ['urn:credworkbench:loa:pwd', 'urn:credworkbench:loa:mfa', 'urn:okta:loa:2fa:any', 'phr', 'phrh'];

function mfaOutcome(user, form, params) {
  if (user.hideAuthContext) return {};
  const otp = form.get('otp') || '';
  if (user.otp && otp === user.otp) {
    const requested = String(params.acr_values || '').split(' ').filter(Boolean);
    return { amr: ['pwd', 'otp'], acr: requested[0] || 'urn:credworkbench:loa:mfa' };
  }
  return { amr: ['pwd'], acr: 'urn:credworkbench:loa:pwd' };
}

// ---------------------------------------------------------------- device authorization grant (RFC 8628)
// Pages with stable ids for the Go test browser (testidp.DeviceApprove):
// #device-input, #device-confirm, #device-success, #device-error.
function deviceFlowFeature() {
  return {
    enabled: true,
    charset: 'base-20',
    mask: '****-****',
    async userCodeInputSource(ctx, form, _out, err) {
      let msg = '<p id="device-prompt">Enter the code shown on your device</p>';
      if (err?.name === 'AbortedError') msg = '<p id="device-aborted">The sign-in request was aborted.</p>';
      else if (err) msg = `<p id="device-error">${esc(err.userCode ? 'The code is incorrect, expired or used.' : err.message || 'error')}</p>`;
      ctx.body = page('Device sign-in', `<h1>Device sign-in</h1>${msg}<div id="device-input">${form}</div>`);
    },
    async userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
      ctx.body = page('Confirm device', `<h1>Confirm device</h1>
<p>${esc(client.clientId)} asks to sign in with the code <code id="device-code">${esc(userCode)}</code></p>
<div id="device-confirm">${form}</div>`);
    },
    async successSource(ctx) {
      ctx.body = page('Signed in', '<h1 id="device-success">Signed in: you can close this page and return to your device.</h1>');
    },
  };
}

// slow_down: oidc-provider never sends it, so a test asks for the next N
// pending polls to be answered with it (POST /__test/device slowDown=N).
let deviceSlowDown = 0;

function deviceTestEndpoint(req, json) {
  return readForm(req).then((form) => {
    deviceSlowDown = Number(form.get('slowDown') || 0);
    json(200, { slowDown: deviceSlowDown });
  });
}

// The polling interval (RFC 8628 §3.2; oidc-provider sends none, which
// means 5 s) and the slow_down answers.
async function deviceMiddleware(ctx, next) {
  await next();
  if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
    ctx.body = { ...ctx.body, interval: cfg.deviceInterval || 5 };
  }
  if (ctx.path === '/token' && deviceSlowDown > 0 && ctx.body?.error === 'authorization_pending') {
    deviceSlowDown -= 1;
    ctx.body = { error: 'slow_down', error_description: 'you are polling too quickly' };
    bump(stats.tokenErrors, 'slow_down');
  }
}

// ---------------------------------------------------------------- server
let provider;

function moduleContext() {
  return { clients, users, log, send, readForm };
}
let callback;

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const counter = countedPaths[url.pathname];
  if (counter) stats[counter] += 1;
  log(req.method, url.pathname);
  try {
    if (url.pathname.startsWith('/__test/')) {
      for (const m of featureModules) {
        if (await m.testEndpoint?.(req, res, url, moduleContext())) return undefined;
      }
      return await testEndpoint(req, res, url);
    }
    if (url.pathname.startsWith('/interaction/')) return await interaction(provider, req, res, url);
    if (url.pathname === '/token' && await applyFault(req, res)) return undefined;
    return callback(req, res);
  } catch (err) {
    log('error', err);
    if (!res.headersSent) send(res, 500, 'text/plain', String(err.message || err));
    else res.end();
  }
  return undefined;
}

const server = cfg.tls
  ? https.createServer({ cert: readFileSync(cfg.tls.cert), key: readFileSync(cfg.tls.key), ...mtls.serverOptions(cfg) }, handle)
  : http.createServer(handle);

server.listen(cfg.port || 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `${cfg.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const conf = withRpInitiatedLogout(providerConfig());
  for (const m of featureModules) m.configure?.(conf, cfg);
  provider = new Provider(issuer, conf);
  allowSeveralSecrets(provider);
  for (const m of featureModules) m.attach?.(provider, cfg, moduleContext());
  provider.use(holdAnswer);
  provider.use(deviceMiddleware);
  provider.on('grant.success', (ctx) => bump(stats.grants, ctx.oidc.params.grant_type));
  provider.on('grant.error', (_ctx, err) => bump(stats.tokenErrors, err.error || 'server_error'));
  provider.on('server_error', (_ctx, err) => log('server_error', err));
  callback = provider.callback();
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
  log('listening on', issuer);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
// The Go side owns us: exit when it closes our stdin (e.g. the test binary died).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
