// Accepting an invitation (#invite=TOKEN): shows the event, the role and the e-mail, and sets a
// password (12–256 characters, the rules shown) or, for an existing account, asks for its
// password. Accepting signs in; an organizer lands in the console, other staff on the event page
// with their role's views.
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Messages } from '../i18n';
import { acceptInvitation, getInvitation, type InvitationInfo } from '../org-api';
import { StaffContext } from '../staff';
import { landingFor, signInError } from './sign-in';

const MIN = 12;
const MAX = 256;

export function InvitationPage({ token, t, locale }: { token: string; t: Messages; locale: string }) {
  const o = t.org;
  const staff = useContext(StaffContext);
  const [info, setInfo] = useState<InvitationInfo | null | 'invalid'>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    getInvitation(token, controller.signal).then(setInfo, () => {
      if (!controller.signal.aborted) setInfo('invalid');
    });
    return () => controller.abort();
  }, [token]);

  if (info === null) {
    return (
      <div class="state state--loading" role="status">
        <span class="spinner" aria-hidden="true" />
        <span>{t.loading}</span>
      </div>
    );
  }
  if (info === 'invalid') {
    return (
      <section class="panel panel--narrow" aria-labelledby="invite-heading" data-testid="invite-invalid">
        <h1 id="invite-heading" class="panel-title">{o.inviteTitle}</h1>
        <p class="form-error" role="alert">{o.inviteInvalid}</p>
      </section>
    );
  }
  const existing = info.account_exists;
  const length = [...password].length;
  const rule = existing ? null : length < MIN ? o.passwordTooShort : length > MAX ? o.passwordTooLong : again !== password ? o.passwordsDiffer : null;
  const role = o.roleNames[info.role] ?? info.role;
  const expires = Number.isNaN(Date.parse(info.expires_at))
    ? info.expires_at
    : new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(info.expires_at));

  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (rule || !password) return;
    setBusy(true);
    setError(null);
    try {
      const s = await acceptInvitation(token, password);
      staff.setAccount(s.account);
      location.hash = landingFor(s.account, info.event);
    } catch (err) {
      setError(signInError(o, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel panel--narrow" aria-labelledby="invite-heading" data-testid="invite-page">
      <h1 id="invite-heading" class="panel-title">{o.inviteTitle}</h1>
      <p class="panel-intro" data-testid="invite-intro">{o.inviteIntro(role, info.event)}</p>
      <dl class="kv">
        <div><dt>{o.inviteFor}</dt><dd data-testid="invite-email">{info.email}</dd></div>
        <div><dt>{o.inviteRole}</dt><dd data-testid="invite-role">{role}</dd></div>
        <div><dt>{o.inviteExpires}</dt><dd>{expires}</dd></div>
      </dl>
      <form class="form" onSubmit={submit} noValidate data-testid="invite-form">
        {existing && <p class="signin-note">{o.existingAccountNote}</p>}
        <div class="field">
          <label for="invite-password">{existing ? o.currentPassword : o.newPassword}</label>
          <input
            id="invite-password"
            type="password"
            autocomplete={existing ? 'current-password' : 'new-password'}
            minLength={existing ? undefined : MIN}
            maxLength={MAX}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            aria-describedby={existing ? undefined : "invite-rules"}
            aria-invalid={touched && rule ? true : undefined}
            data-testid="invite-password"
          />
          {!existing && <span id="invite-rules" class="field-hint">{o.passwordRules}</span>}
        </div>
        {!existing && (
          <div class="field">
            <label for="invite-again">{o.confirmPassword}</label>
            <input
              id="invite-again"
              type="password"
              autocomplete="new-password"
              value={again}
              onInput={(e) => setAgain(e.currentTarget.value)}
              data-testid="invite-again"
            />
          </div>
        )}
        {touched && rule && <p class="form-error" role="alert" data-testid="invite-rule">{rule}</p>}
        {error && <p class="form-error" role="alert" data-testid="invite-error">{error}</p>}
        <button type="submit" class="button" disabled={busy} data-testid="invite-accept">
          {busy ? o.signingIn : o.acceptButton}
        </button>
      </form>
    </section>
  );
}
