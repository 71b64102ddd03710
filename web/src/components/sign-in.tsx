// Staff sign-in: e-mail and password -> POST /api/v1/auth/sign-in. The server answers the same
// for an unknown e-mail and a wrong password (sign_in_failed); a locked account (sign_in_locked)
// and too many requests (rate_limited) say how long to wait.
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { Messages } from '../i18n';
import { isOrganizer, RequestError, signIn, type Account } from '../org-api';
import { consoleHref, eventHref, pressOfficeHref } from '../route';
import { StaffContext } from '../staff';

/**
 * Where an account goes after signing in: the console for an organizer, the press office for a
 * press officer (issue 18) of one event, else its first event.
 */
export function landingFor(account: Account, event?: string): string {
  if (isOrganizer(account, event)) return consoleHref(event && event !== '*' ? event : undefined);
  const officer = account.roles.find((r) => r.role === 'press_officer' && r.event !== '*' && (event === undefined || r.event === event));
  if (officer && !account.roles.some((r) => r.role === 'moderator')) return pressOfficeHref(officer.event);
  const first = event ?? account.roles.find((r) => r.event !== '*')?.event;
  return first ? eventHref(first) : '#';
}

export function signInError(o: Messages['org'], e: unknown): string {
  if (!(e instanceof RequestError)) return o.requestFailed(String(e));
  if (e.code === 'sign_in_failed' || e.status === 401) return o.signInFailed;
  if (e.code === 'sign_in_locked') return o.signInLocked(Math.max(1, Math.ceil((e.retryAfterS ?? 60) / 60)));
  if (e.code === 'rate_limited' || e.status === 429) return o.rateLimited(Math.max(1, Math.ceil(e.retryAfterS ?? 1)));
  return o.requestFailed(e.detail || String(e.status));
}

export function SignInPage({ t }: { t: Messages }) {
  const o = t.org;
  const staff = useContext(StaffContext);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const emailField = useRef<HTMLInputElement>(null);
  useEffect(() => emailField.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await signIn(email.trim(), password);
      staff.setAccount(s.account);
      location.hash = landingFor(s.account);
    } catch (err) {
      setError(signInError(o, err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel panel--narrow" aria-labelledby="sign-in-heading" data-testid="sign-in-page">
      <h1 id="sign-in-heading" ref={heading} class="panel-title">
        {o.signInTitle}
      </h1>
      <p class="panel-intro">{o.signInIntro}</p>
      <form class="form" onSubmit={submit} noValidate data-testid="sign-in-form">
        <div class="field">
          <label for="sign-in-email">{o.email}</label>
          <input
            id="sign-in-email"
            ref={emailField}
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
            data-testid="sign-in-email"
          />
        </div>
        <div class="field">
          <label for="sign-in-password">{o.password}</label>
          <input
            id="sign-in-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            aria-describedby={error ? 'sign-in-error' : undefined}
            aria-invalid={error ? true : undefined}
            data-testid="sign-in-password"
          />
        </div>
        {error && (
          <p id="sign-in-error" class="form-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <button type="submit" class="button" disabled={busy || !email.trim() || !password} data-testid="sign-in-submit">
          {busy ? o.signingIn : o.signInButton}
        </button>
      </form>
    </section>
  );
}
