// Registration on the event page: the state (not yet open — with when, in the event's zone —,
// open, closed, full with a waiting list, full without one), the form (name, e-mail, organization, accessibility
// needs, hall or remote when the event offers both, consent with its text — the app's own,
// agreed to under the server's `consent_version` —) and the confirmation. A registration the
// server refuses because the window closed (or has not opened) while the form was open says so
// with the time, in the event's zone, read again from the server. Registering twice with one e-mail is idempotent on the server (200, not 201);
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

/** The state as a sentence (`full` has its own message). */
function stateText(o: Messages['org'], state: RegistrationInfo['state']): string | undefined {
  return state === 'full' ? o.regFullText : o.regStateText[state];
}

/** Why the server refused a registration the form sent, said with the time it names. */
interface Refusal {
  code: string;
  text: string;
}

export function RegistrationPanel({ event, lang, locale, t }: { event: ConferenceEvent; lang: Lang; locale: string; t: Messages }) {
  const o = t.org;
  const [info, setInfo] = useState<RegistrationInfo | null>(null);
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<{ registration: Registration; existing: boolean; email: string } | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const refusalRef = useRef<HTMLParagraphElement>(null);
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
  }, [event.id, capable]);
  // The form that held the focus is gone after a refusal: the focus goes to the message.
  useEffect(() => refusalRef.current?.focus(), [refusal]);
  // Nothing for an event without registration (404) or a state this page does not know.
  if (!info || stateText(o, info.state) === undefined) return null;
  const zone = info.timezone ?? event.timezone ?? 'Europe/Stockholm';
  const canRegister = info.state === 'open' || info.state === 'full_waitlist';
  const hybrid = info.modes.length > 1;
  const seats = hybrid
    ? info.modes
        .map((m) => ({ m, left: info.seats_left_by_mode?.[m] }))
        .filter((x): x is { m: Mode; left: number } => typeof x.left === 'number')
        .map((x) => o.seatsLeftIn(o.modeNames[x.m] ?? x.m, x.left))
        .join(' ')
    : typeof info.seats_left === 'number'
      ? o.seatsLeft(info.seats_left)
      : '';

  /** The server refused: read the settings again and say why, with the time they now name. */
  const refused = async (code: string) => {
    let fresh = info;
    try {
      fresh = await getRegistration(event.id);
      setInfo(fresh);
    } catch {
      // keep what was shown
    }
    const z = fresh.timezone ?? zone;
    const text =
      code === 'registration_closed'
        ? o.regClosedAt(inZone(fresh.closes_at, locale, z))
        : code === 'registration_not_open'
          ? o.regNotOpenAt(inZone(fresh.opens_at, locale, z))
          : o.regFullError;
    setOpen(false);
    setRefusal({ code, text });
  };
  return (
    <section class="registration" aria-labelledby="registration-heading" data-testid="registration" data-state={info.state}>
      <h2 id="registration-heading" class="registration-heading">{o.registration}</h2>
      {done ? (
        <Confirmation done={done} t={t} />
      ) : (
        <>
          {refusal && (
            <p class="form-error registration-refused" role="alert" tabIndex={-1} ref={refusalRef} data-testid="registration-refused" data-code={refusal.code}>
              {refusal.text}
            </p>
          )}
          {/* After a refusal its message says the state; the line again only if one may still register. */}
          {(!refusal || canRegister) && <p class="registration-state" data-testid="registration-state">
            {stateText(o, info.state)}{' '}
            {info.state === 'not_open' && info.opens_at && <span data-testid="registration-opens">{o.opensWhen(inZone(info.opens_at, locale, zone))}</span>}
            {canRegister && info.closes_at && <span data-testid="registration-closes">{o.closesWhen(inZone(info.closes_at, locale, zone))}</span>}
            {info.state === 'closed' && info.closes_at && <span>{o.closedWhen(inZone(info.closes_at, locale, zone))}</span>}
            {info.state === 'open' && seats && <span data-testid="seats-left"> {seats}</span>}
          </p>}
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
              onDone={(registration, existing, email) => setDone({ registration, existing, email })}
              onRefused={(code) => void refused(code)}
              onConsentVersion={setInfo}
            />
          )}
        </>
      )}
    </section>
  );
}

function Confirmation({ done, t }: { done: { registration: Registration; existing: boolean; email: string }; t: Messages }) {
  const o = t.org;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const waitlisted = done.registration.status === 'waitlisted';
  return (
    <div class="registration-done" tabIndex={-1} ref={ref} role="status" data-testid="registration-done" data-status={done.registration.status}>
      <p class="registration-done-title">{waitlisted ? o.waitlistedTitle : o.confirmedTitle}</p>
      {/* The server's answer names no personal field: the address is the one typed. */}
      <p>{waitlisted ? o.waitlistedText(done.email) : o.confirmedText(done.email)}</p>
      {done.existing && <p class="field-hint" data-testid="registration-existing">{o.alreadyRegistered}</p>}
    </div>
  );
}

interface FormProps {
  event: ConferenceEvent;
  info: RegistrationInfo;
  lang: Lang;
  t: Messages;
  onDone: (r: Registration, existing: boolean, email: string) => void;
  /** The server refused for the window or the seats (the state changed since it was read). */
  onRefused: (code: string) => void;
  /** The settings read again after the consent version changed. */
  onConsentVersion: (info: RegistrationInfo) => void;
}

/** The server's field names as this form's. */
const FIELD_OF: Record<string, keyof FormErrors> = {
  name: 'name',
  email: 'email',
  organization: 'organization',
  accessibility: 'accessibility',
  accessibility_needs: 'accessibility',
  mode: 'mode',
  consent: 'consent',
  consent_version: 'consent',
};
type FormErrors = Partial<Record<Fields | 'organization' | 'accessibility' | 'mode', string>>;

function RegistrationForm({ event, info, lang, t, onDone, onRefused, onConsentVersion }: FormProps) {
  const o = t.org;
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [organization, setOrganization] = useState('');
  const [accessibility, setAccessibility] = useState('');
  const [mode, setMode] = useState<Mode>(info.modes[0] ?? 'hall');
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({});
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
      const r = await register(event.id, {
        name: name.trim(),
        email: email.trim(),
        organization: organization.trim(),
        accessibility_needs: accessibility.trim(),
        mode,
        consent,
        ...(info.consent_version ? { consent_version: info.consent_version } : {}),
        language: lang,
      });
      onDone(r.registration, r.existing, email.trim());
    } catch (err) {
      if (err instanceof RequestError) {
        if (err.code === 'registration_closed' || err.code === 'registration_not_open' || err.code === 'registration_full') {
          onRefused(err.code);
          return;
        }
        const fields: FormErrors = {};
        for (const f of err.fields) {
          const k = FIELD_OF[f.field];
          if (k) fields[k] = f.message;
        }
        // The consent refused although ticked: its text changed (a new consent_version) while
        // the form was open. Read the settings again and ask for the consent anew.
        if (fields.consent && consent) {
          try {
            const fresh = await getRegistration(event.id);
            if (fresh.consent_version !== info.consent_version) {
              onConsentVersion(fresh);
              setConsent(false);
              fields.consent = o.consentChanged;
            }
          } catch {
            // keep the server's message
          }
        }
        setErrors(fields);
        setError(o.regErrors[err.code] ?? failure(t, err));
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
        <input id="reg-name" ref={first} autocomplete="name" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={errors.name ? true : undefined} aria-describedby={described('reg-name')} data-testid="reg-name" />
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
          {fieldError('mode')}
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
