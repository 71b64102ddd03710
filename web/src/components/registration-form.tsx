// Registration on the event page: the state (not yet open — with when, in the event's zone —,
// open, closed, full with a waiting list), the form (name, e-mail, organization, accessibility
// needs, hall or remote when the event offers both, consent with its text) and the
// confirmation. Registering twice with one e-mail is idempotent on the server (200, not 201);
// the confirmation e-mail carries the personal join link and the manage link.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConferenceEvent } from '../api';
import { pick, type Lang, type Messages } from '../i18n';
import { getRegistration, register, RequestError, type Mode, type Registration, type RegistrationInfo } from '../org-api';
import { failure } from './console/common';

/** A UTC instant as the event's local date and time, with the zone's name. */
export function inZone(utc: string | null | undefined, locale: string, zone: string): string {
  const ms = utc ? Date.parse(utc) : NaN;
  if (!Number.isFinite(ms)) return '';
  // dateStyle/timeStyle cannot be combined with timeZoneName: the fields one by one.
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone, timeZoneName: 'short' }).format(new Date(ms));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Fields = 'name' | 'email' | 'consent';

export function RegistrationPanel({ event, lang, locale, t }: { event: ConferenceEvent; lang: Lang; locale: string; t: Messages }) {
  const o = t.org;
  const [info, setInfo] = useState<RegistrationInfo | null>(null);
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<{ registration: Registration; existing: boolean } | null>(null);
  const [n, setN] = useState(0);
  // Only a server of issue 16 (its events carry the program `version`) has registration: an
  // older one would answer 404 on every page load.
  const capable = event.version !== undefined;
  useEffect(() => {
    if (!capable) return;
    const controller = new AbortController();
    getRegistration(event.id, controller.signal).then(setInfo, () => {
      if (!controller.signal.aborted) setInfo(null); // no registration for this event (404) or unreachable
    });
    return () => controller.abort();
  }, [event.id, n, capable]);
  // Nothing for an event without registration (404) or a state this page does not know.
  if (!info || !(info.state in o.regStateText)) return null;
  const zone = info.timezone ?? event.timezone ?? 'Europe/Stockholm';
  const canRegister = info.state === 'open' || info.state === 'full_waitlist';
  return (
    <section class="registration" aria-labelledby="registration-heading" data-testid="registration" data-state={info.state}>
      <h2 id="registration-heading" class="registration-heading">{o.registration}</h2>
      {done ? (
        <Confirmation done={done} t={t} />
      ) : (
        <>
          <p class="registration-state" data-testid="registration-state">
            {o.regStateText[info.state]}{' '}
            {info.state === 'not_open' && info.opens_at && <span data-testid="registration-opens">{o.opensWhen(inZone(info.opens_at, locale, zone))}</span>}
            {canRegister && info.closes_at && <span data-testid="registration-closes">{o.closesWhen(inZone(info.closes_at, locale, zone))}</span>}
            {info.state === 'closed' && info.closes_at && <span>{o.closedWhen(inZone(info.closes_at, locale, zone))}</span>}
            {info.state === 'open' && info.seats_left !== null && info.seats_left !== undefined && <span data-testid="seats-left"> {o.seatsLeft(info.seats_left)}</span>}
          </p>
          {info.state === 'full_waitlist' && <p class="field-hint">{o.waitlistNote}</p>}
          {canRegister && !open && (
            <button type="button" class="button" aria-expanded="false" aria-controls="registration-form" onClick={() => setOpen(true)} data-testid="registration-open">
              {info.state === 'full_waitlist' ? o.joinWaitlistButton : o.registerButton}
            </button>
          )}
          {canRegister && open && (
            <RegistrationForm
              event={event}
              info={info}
              lang={lang}
              t={t}
              onDone={(registration, existing) => setDone({ registration, existing })}
              onStateChanged={() => setN((x) => x + 1)}
            />
          )}
        </>
      )}
    </section>
  );
}

function Confirmation({ done, t }: { done: { registration: Registration; existing: boolean }; t: Messages }) {
  const o = t.org;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const waitlisted = done.registration.status === 'waitlisted';
  return (
    <div class="registration-done" tabIndex={-1} ref={ref} role="status" data-testid="registration-done" data-status={done.registration.status}>
      <p class="registration-done-title">{waitlisted ? o.waitlistedTitle : o.confirmedTitle}</p>
      <p>{waitlisted ? o.waitlistedText(done.registration.email) : o.confirmedText(done.registration.email)}</p>
      {done.existing && <p class="field-hint" data-testid="registration-existing">{o.alreadyRegistered}</p>}
    </div>
  );
}

interface FormProps {
  event: ConferenceEvent;
  info: RegistrationInfo;
  lang: Lang;
  t: Messages;
  onDone: (r: Registration, existing: boolean) => void;
  /** The server says the state changed (opened, closed): read it again. */
  onStateChanged: () => void;
}

function RegistrationForm({ event, info, lang, t, onDone, onStateChanged }: FormProps) {
  const o = t.org;
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [organization, setOrganization] = useState('');
  const [accessibility, setAccessibility] = useState('');
  const [mode, setMode] = useState<Mode>(info.modes[0] ?? 'hall');
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Fields | 'organization' | 'accessibility' | 'mode', string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const consentText = pick(info.consent_text, lang).text || o.consentText;

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: typeof errors = {};
    if (!name.trim()) found.name = o.required;
    if (!EMAIL.test(email.trim())) found.email = o.invalidEmail;
    if (!consent) found.consent = o.consentRequired;
    setErrors(found);
    setError(null);
    const firstBad = (['name', 'email', 'consent'] as const).find((k) => found[k]);
    if (firstBad) {
      document.getElementById(`reg-${firstBad}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const r = await register(event.id, { name: name.trim(), email: email.trim(), organization: organization.trim(), accessibility: accessibility.trim(), mode, consent, language: lang });
      onDone(r.registration, r.existing);
    } catch (err) {
      if (err instanceof RequestError) {
        const fields: typeof errors = {};
        for (const f of err.fields) if (['name', 'email', 'organization', 'accessibility', 'mode', 'consent'].includes(f.field)) fields[f.field as Fields] = f.message;
        setErrors(fields);
        setError(o.regErrors[err.code] ?? failure(t, err));
        if (err.code === 'registration_closed' || err.code === 'registration_not_open') onStateChanged();
      } else {
        setError(failure(t, err));
      }
    } finally {
      setBusy(false);
    }
  };

  const described = (id: string, hint?: boolean) => [hint ? `${id}-hint` : '', errors[id.replace('reg-', '') as Fields] ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const fieldError = (k: keyof typeof errors) =>
    errors[k] ? (
      <span id={`reg-${k}-error`} class="form-error" data-testid={`reg-${k}-error`}>
        {errors[k]}
      </span>
    ) : null;

  return (
    <form id="registration-form" class="form form--grid registration-form" onSubmit={submit} noValidate data-testid="registration-form">
      <div class="field">
        <label for="reg-name">{o.name}</label>
        <input id="reg-name" ref={first} autocomplete="name" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={errors.name ? true : undefined} aria-describedby={described('reg-name')} data-testid="reg-name" />
        {fieldError('name')}
      </div>
      <div class="field">
        <label for="reg-email">{o.email}</label>
        <input id="reg-email" type="email" autocomplete="email" maxLength={254} value={email} onInput={(e) => setEmail(e.currentTarget.value)} aria-invalid={errors.email ? true : undefined} aria-describedby={described('reg-email')} data-testid="reg-email" />
        {fieldError('email')}
      </div>
      <div class="field">
        <label for="reg-organization">{o.organization}</label>
        <input id="reg-organization" autocomplete="organization" maxLength={200} value={organization} onInput={(e) => setOrganization(e.currentTarget.value)} data-testid="reg-organization" />
        {fieldError('organization')}
      </div>
      <div class="field">
        <label for="reg-accessibility">{o.accessibility}</label>
        <input id="reg-accessibility" maxLength={1000} value={accessibility} onInput={(e) => setAccessibility(e.currentTarget.value)} aria-describedby="reg-accessibility-hint" data-testid="reg-accessibility" />
        <span id="reg-accessibility-hint" class="field-hint">{o.accessibilityHint}</span>
        {fieldError('accessibility')}
      </div>
      {info.modes.length > 1 && (
        <fieldset class="field fieldset form-wide" data-testid="reg-modes">
          <legend>{o.mode}</legend>
          {info.modes.map((m) => (
            <label class="check" key={m}>
              <input type="radio" name="reg-mode" value={m} checked={mode === m} onChange={() => setMode(m)} data-testid={`reg-mode-${m}`} />
              {o.modeNames[m] ?? m}
            </label>
          ))}
        </fieldset>
      )}
      <div class="form-wide consent">
        <p id="reg-consent-text" class="consent-text">{consentText}</p>
        <label class="check">
          <input id="reg-consent" type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} aria-invalid={errors.consent ? true : undefined} aria-describedby={['reg-consent-text', errors.consent ? 'reg-consent-error' : ''].filter(Boolean).join(' ')} data-testid="reg-consent" />
          {o.consent}
        </label>
        {fieldError('consent')}
      </div>
      {error && (
        <p class="form-error form-wide" role="alert" data-testid="registration-error">
          {error}
        </p>
      )}
      <div class="form-actions form-wide">
        <button type="submit" class="button" disabled={busy} data-testid="reg-submit">
          {busy ? o.registering : info.state === 'full_waitlist' ? o.joinWaitlistButton : o.registerButton}
        </button>
      </div>
    </form>
  );
}
