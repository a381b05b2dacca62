// Mutual TLS (RFC 8705) for the test IdP: tls_client_auth,
// self_signed_tls_client_auth and certificate-bound access tokens, with the
// client certificate read from the TLS socket (server.mjs asks for one and
// lets the provider decide: requestCert, rejectUnauthorized false).
//
// Go-side settings (testidp.WithMTLS), cfg.features.mtls:
//   clientCA     PEM file of the CA that issues tls_client_auth certificates
//   aliases      "localhost": mtls_endpoint_aliases name https://localhost:PORT/...
//                (the same server under another host name); "unreachable":
//                they name a port nothing listens on; "" or absent: none
//   aliasOnly    certificates count only on the alias host (an IdP that asks
//                for them only there)
// Test endpoint: GET /__test/mtls → { aliasRequests, withCertificate, tokenRequests }.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

let counts = { aliasRequests: 0, withCertificate: 0, tokenRequests: 0 };
let settings = null;
let clientCA = null;

const onAlias = (ctx) => ctx.hostname === 'localhost';

function peerCertificate(ctx) {
  if (settings?.aliasOnly && !onAlias(ctx)) return undefined;
  const cert = ctx.req.socket?.getPeerX509Certificate?.();
  return cert || undefined;
}

// RFC 4514 order is the reverse of node's subject lines.
const dn = (cert) => cert.subject.split('\n').filter(Boolean).reverse().join(',');
const normalizeDN = (s) => String(s).split(',').map((p) => p.trim()).join(',').toLowerCase();

// serverOptions are the https server's: ask every client for a
// certificate and let the provider decide (no TLS-level refusal).
export function serverOptions(cfg) {
  return cfg.features?.mtls ? { requestCert: true, rejectUnauthorized: false } : {};
}

export function configure(conf, cfg) {
  settings = cfg.features?.mtls;
  if (!settings) return;
  if (settings.clientCA) clientCA = new X509Certificate(readFileSync(settings.clientCA));
  conf.clientAuthMethods = [...new Set([
    ...(conf.clientAuthMethods || ['client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'private_key_jwt', 'none']),
    'tls_client_auth', 'self_signed_tls_client_auth',
  ])];
  conf.features.mTLS = {
    enabled: true,
    certificateBoundAccessTokens: true,
    selfSignedTlsClientAuth: true,
    tlsClientAuth: true,
    getCertificate: peerCertificate,
    certificateAuthorized(ctx) {
      const cert = peerCertificate(ctx);
      return Boolean(cert && clientCA && cert.checkIssued(clientCA) && cert.verify(clientCA.publicKey));
    },
    certificateSubjectMatches(ctx, property, expected) {
      const cert = peerCertificate(ctx);
      if (!cert) return false;
      switch (property) {
        case 'tls_client_auth_subject_dn':
          return normalizeDN(dn(cert)) === normalizeDN(expected);
        case 'tls_client_auth_san_dns':
          return String(cert.subjectAltName || '').split(', ').includes(`DNS:${expected}`);
        default:
          return false;
      }
    },
  };
}

export function attach(provider, cfg) {
  if (!settings) return;
  provider.use(async (ctx, next) => {
    if (onAlias(ctx)) counts.aliasRequests += 1;
    if (ctx.path === '/token') {
      counts.tokenRequests += 1;
      if (peerCertificate(ctx)) counts.withCertificate += 1;
    }
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200 && ctx.body && settings.aliases) {
      const base = new URL(provider.issuer);
      base.hostname = 'localhost';
      if (settings.aliases === 'unreachable') base.port = '1';
      const at = (p) => new URL(p, base).href;
      ctx.body = {
        ...ctx.body,
        mtls_endpoint_aliases: {
          token_endpoint: at('/token'),
          revocation_endpoint: at('/token/revocation'),
          introspection_endpoint: at('/token/introspection'),
          device_authorization_endpoint: at('/device/auth'),
          userinfo_endpoint: at('/me'),
        },
      };
    }
  });
}

export function testEndpoint(req, res, url, { send }) {
  if (url.pathname !== '/__test/mtls') return false;
  if (req.method === 'POST') counts = { aliasRequests: 0, withCertificate: 0, tokenRequests: 0 };
  send(res, 200, 'application/json', JSON.stringify(counts));
  return true;
}
