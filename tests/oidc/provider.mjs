// A real OpenID provider (npm oidc-provider) on loopback for the single sign-on tests,
// configured by provider.config.json. Its RSA signing keys are made at start (rotate() makes a
// new one and restarts with it first), and a test can ask it to bend the next ID token (wrong
// audience, expired, bad signature, alg none) re-signed with its own key, as a broken or
// hostile provider would.
import Provider from 'oidc-provider';
import * as jose from 'jose';
import { readFileSync } from 'node:fs';

export const config = JSON.parse(readFileSync(new URL('./provider.config.json', import.meta.url), 'utf8'));

async function newKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, privateKey };
}

async function bend(idToken, mode, key) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'alg-none') {
    const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
  }
  if (mode === 'bad-signature') {
    const [h, p, s] = idToken.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[10] ^= 0x55;
    return `${h}.${p}.${sig.toString('base64url')}`;
  }
  if (mode === 'wrong-aud') claims.aud = 'someone-else';
  if (mode === 'expired') { claims.exp = now - 3600; claims.iat = now - 7200; }
  if (mode === 'unknown-key') key = await newKey('not-published');
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid, typ: 'JWT' }).sign(key.privateKey);
}

export async function startProvider({ port, redirectUri }) {
  const state = { mode: null, keys: [await newKey('key-1')], server: null, issuer: `http://127.0.0.1:${port}` };
  const make = () => {
    const p = new Provider(state.issuer, {
      clients: [{ ...config.client, redirect_uris: [redirectUri] }],
      claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'] },
      findAccount: async (ctx, id) => ({
        accountId: id,
        claims: async () => ({ sub: id, ...(config.accounts[id] || { name: id, groups: [] }) }),
      }),
      conformIdTokenClaims: false, // the groups claim in the ID token, as the city's provider does
      jwks: { keys: state.keys.map((k) => k.jwk) },
      pkce: { required: () => true },
      cookies: { keys: ['portvakt-oidc-test-cookie-key'] },
      features: { devInteractions: { enabled: true } },
    });
    p.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/token' && state.mode && ctx.body && ctx.body.id_token) {
        ctx.body = { ...ctx.body, id_token: await bend(ctx.body.id_token, state.mode, state.keys[0]) };
        state.mode = null;
      }
    });
    return p;
  };
  const listen = () => new Promise((resolve) => { state.server = make().listen(port, '127.0.0.1', resolve); });
  await listen();
  return {
    issuer: state.issuer,
    bendNext(mode) { state.mode = mode; },
    async rotate() { // a new signing key first, the old one still published
      state.keys.unshift(await newKey(`key-${state.keys.length + 1}`));
      state.server.closeAllConnections();
      await new Promise((r) => state.server.close(r));
      await listen();
      return state.keys[0].jwk.kid;
    },
    close() { state.server.closeAllConnections(); return new Promise((r) => state.server.close(r)); },
  };
}
