// The staff session's CSRF token (from the sign-in or `me` reply). Every state-changing request
// that authenticates by the session cookie carries it in X-CSRF-Token (docs/web.md, Staff).
let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

/** The header for a POST, PUT, PATCH or DELETE; empty when nobody is signed in. */
export function csrfHeader(): Record<string, string> {
  return csrf ? { 'X-CSRF-Token': csrf } : {};
}
