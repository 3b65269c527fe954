// Security keys (WebAuthn) in the browser: ask the server for options, let the browser talk
// to the key, send the answer back base64url-encoded. The server checks everything.
import { api } from './api.js';

const b64 = {
  decode(s) {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  },
  encode(buf) {
    const bytes = new Uint8Array(buf);
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
};

export function available() {
  return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

/** Register a key: optionsPath gives the creation options, finishPath takes the answer. */
export async function registerKey(optionsPath, finishPath, name) {
  const { publicKey: o } = await api('POST', optionsPath, {}, { quietAuth: true });
  o.challenge = b64.decode(o.challenge);
  o.user.id = b64.decode(o.user.id);
  o.excludeCredentials = (o.excludeCredentials || []).map((c) => ({ ...c, id: b64.decode(c.id) }));
  const cred = await navigator.credentials.create({ publicKey: o });
  return api('POST', finishPath, {
    client_data_json: b64.encode(cred.response.clientDataJSON),
    attestation_object: b64.encode(cred.response.attestationObject),
    name,
  }, { quietAuth: true });
}

/** Sign in with a key: as second factor (after the password) or without a password. */
export async function signInWithKey(optionsPath, finishPath) {
  const { publicKey: o } = await api('POST', optionsPath, {}, { quietAuth: true });
  o.challenge = b64.decode(o.challenge);
  o.allowCredentials = (o.allowCredentials || []).map((c) => ({ ...c, id: b64.decode(c.id) }));
  const a = await navigator.credentials.get({ publicKey: o });
  return api('POST', finishPath, {
    credential_id: b64.encode(a.rawId),
    client_data_json: b64.encode(a.response.clientDataJSON),
    authenticator_data: b64.encode(a.response.authenticatorData),
    signature: b64.encode(a.response.signature),
    user_handle: a.response.userHandle ? b64.encode(a.response.userHandle) : null,
  }, { quietAuth: true });
}
