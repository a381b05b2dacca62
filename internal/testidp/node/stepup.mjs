// Step-up authentication (RFC 9470) for the test IdP: with settings from Go
// (testidp.WithStepUp) access tokens carry the user's acr and auth_time, as
// Keycloak's and Okta's do, so a resource server can demand a level or a
// recent sign-in (internal/testapi StartStepUp). The acr comes from the MFA
// login (server.mjs mfaOutcome).

export const name = 'stepup';

export function configure(conf, cfg) {
  if (!cfg.features?.stepup) return;
  const base = conf.extraTokenClaims;
  conf.extraTokenClaims = async (ctx, token) => {
    const claims = { ...((await base?.(ctx, token)) || {}) };
    const e = ctx?.oidc?.entities || {};
    const src = e.AuthorizationCode || e.RefreshToken || e.DeviceCode;
    if (token.accountId && src) {
      if (src.acr) claims.acr = src.acr;
      if (src.authTime) claims.auth_time = src.authTime;
    }
    return claims;
  };
}
