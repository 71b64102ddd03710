// The public accreditation form (#accredit/EVENT): GET …/accreditation for the event's days,
// whether it is open and the press contacts; POST …/accreditations. Checked before sending
// (required fields, e-mail shape, a day) and by the server (422 `fields` beside their fields);
// what was typed stays. 403 accreditation_closed shows the closed note with the contacts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { langIf, pick, type Lang } from '../i18n';
import { RequestError } from '../org-api';
import { eventHref } from '../route';
import { getAccreditationInfo, requestAccreditation, type AccreditationInfo, type Attendance } from './api';
import { Contacts, dayName, failure, Loading } from './common';
import { pressCatalogs } from './i18n';
import './press.css';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
type Field = 'name' | 'outlet' | 'email' | 'phone' | 'press_card' | 'days' | 'attendance' | 'note' | 'language';
const ORDER: Field[] = ['name', 'outlet', 'email', 'phone', 'press_card', 'days', 'attendance', 'note', 'language'];

type Load = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; info: AccreditationInfo };

export function AccreditForm({ event, lang, locale }: { event: string; lang: Lang; locale: string }) {
  const p = pressCatalogs[lang];
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [done, setDone] = useState<{ email: string; already: boolean; manage?: string } | null>(null);
  const [closed, setClosed] = useState(false);
  useEffect(() => {
    const c = new AbortController();
    setLoad({ status: 'loading' });
    getAccreditationInfo(event, c.signal).then(
      (info) => setLoad({ status: 'ready', info }),
      (error: unknown) => {
        if (!c.signal.aborted) setLoad({ status: 'error', error });
      },
    );
    return () => c.abort();
  }, [event, attempt]);
  useEffect(() => {
    document.title = p.formTitle;
  }, [p]);

  if (load.status === 'loading') return <Loading p={p} />;
  if (load.status === 'error') {
    const notFound = load.error instanceof RequestError && load.error.status === 404;
    return (
      <section class="panel panel--narrow press-page" data-testid="accredit-error">
        <h1 class="panel-title">{p.formTitle}</h1>
        <p role="alert">{notFound ? p.noSuchEvent : failure(p, load.error)}</p>
        {!notFound && (
          <button type="button" class="button" onClick={() => setAttempt((n) => n + 1)}>
            {p.retry}
          </button>
        )}
      </section>
    );
  }
  const { info } = load;
  const title = pick(info.event.title, lang);
  return (
    <section class="panel press-page press-form-page" aria-labelledby="accredit-title" data-testid="accredit" data-state={done ? 'done' : !info.open || closed ? 'closed' : 'open'}>
      <p class="press-dim">
        <a href={eventHref(info.event.id)} lang={langIf(title.lang, lang)}>{title.text}</a>
      </p>
      <h1 id="accredit-title" class="panel-title" tabIndex={-1}>{done ? p.doneTitle : p.formTitle}</h1>
      {done ? (
        <div class="press-done" data-testid="accredit-done" data-already={done.already}>
          <p>{p.doneText(done.email)}</p>
          {done.already && <p>{p.doneAlready}</p>}
          {done.manage && (
            <p>
              <a href={done.manage} data-testid="accredit-manage-link">{p.manageDev}</a>
            </p>
          )}
          <p>
            <a class="button button--secondary" href={eventHref(info.event.id)}>{p.backToEvent}</a>
          </p>
        </div>
      ) : !info.open || closed ? (
        <p class="press-note" role="alert" data-testid="accredit-closed">{p.closed}</p>
      ) : (
        <>
          <p class="press-intro">{p.formIntro}</p>
          <Form info={info} lang={lang} locale={locale} onDone={setDone} onClosed={() => setClosed(true)} />
        </>
      )}
      <Contacts contacts={info.contacts} p={p} />
    </section>
  );
}

interface FormProps {
  info: AccreditationInfo;
  lang: Lang;
  locale: string;
  onDone: (d: { email: string; already: boolean; manage?: string }) => void;
  onClosed: () => void;
}

function Form({ info, lang, locale, onDone, onClosed }: FormProps) {
  const p = pressCatalogs[lang];
  const [v, setV] = useState({ name: '', outlet: '', email: '', phone: '', press_card: '', note: '' });
  const [days, setDays] = useState<string[]>(info.event.days.length === 1 ? [...info.event.days] : []);
  const [attendance, setAttendance] = useState<Attendance>('hall');
  const [language, setLanguage] = useState<string>(lang);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const focusField = (f: Field) => {
    const el = document.getElementById(f === 'days' ? `acc-day-0` : f === 'attendance' ? 'acc-attendance-hall' : `acc-${f}`);
    el?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: Partial<Record<Field, string>> = {};
    if (!v.name.trim()) found.name = p.required;
    if (!v.outlet.trim()) found.outlet = p.required;
    if (!v.email.trim()) found.email = p.required;
    else if (!EMAIL.test(v.email.trim())) found.email = p.invalidEmail;
    if (days.length === 0) found.days = p.pickDay;
    setErrors(found);
    setError(null);
    const bad = ORDER.find((k) => found[k]);
    if (bad) {
      setError(p.checkFields);
      focusField(bad);
      return;
    }
    setBusy(true);
    try {
      const r = await requestAccreditation(info.event.id, {
        name: v.name.trim(),
        outlet: v.outlet.trim(),
        email: v.email.trim(),
        phone: v.phone.trim(),
        press_card: v.press_card.trim(),
        days: info.event.days.filter((d) => days.includes(d)),
        attendance,
        note: v.note.trim(),
        language,
      });
      const manage = (r as unknown as { manage_link?: string }).manage_link;
      onDone({ email: v.email.trim(), already: r.already, ...(manage ? { manage } : {}) });
      requestAnimationFrame(() => document.getElementById('accredit-title')?.focus());
    } catch (err) {
      if (err instanceof RequestError && err.code === 'accreditation_closed') {
        onClosed();
        return;
      }
      const fields: Partial<Record<Field, string>> = {};
      if (err instanceof RequestError) {
        for (const f of err.fields) {
          const k = (ORDER as string[]).includes(f.field) ? (f.field as Field) : null;
          if (k) fields[k] = f.message;
        }
      }
      setErrors(fields);
      const firstBad = ORDER.find((k) => fields[k]);
      setError(firstBad ? p.checkFields : failure(p, err));
      if (firstBad) focusField(firstBad);
    } finally {
      setBusy(false);
    }
  };

  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.currentTarget as HTMLInputElement).value });
  const describe = (k: Field, hint = false) => [hint ? `acc-${k}-hint` : '', errors[k] ? `acc-${k}-error` : ''].filter(Boolean).join(' ') || undefined;
  const err = (k: Field) =>
    errors[k] ? (
      <span id={`acc-${k}-error`} class="form-error" data-testid={`acc-${k}-error`}>
        {errors[k]}
      </span>
    ) : null;
  const input = (k: 'name' | 'outlet' | 'email' | 'phone' | 'press_card', label: string, type: 'text' | 'email' | 'tel', auto: string, max: number) => (
    <div class="field">
      <label for={`acc-${k}`}>{label}</label>
      <input
        id={`acc-${k}`}
        {...(k === 'name' ? { ref: first } : {})}
        type={type as 'text'}
        autocomplete={auto}
        maxLength={max}
        value={v[k]}
        onInput={set(k)}
        required={k === 'name' || k === 'outlet' || k === 'email'}
        aria-invalid={errors[k] ? true : undefined}
        aria-describedby={describe(k)}
        data-testid={`acc-${k}`}
      />
      {err(k)}
    </div>
  );

  return (
    <form class="form form--grid press-form" onSubmit={submit} noValidate data-testid="accredit-form">
      {input('name', p.name, 'text', 'name', 100)}
      {input('outlet', p.outlet, 'text', 'organization', 200)}
      {input('email', p.email, 'email', 'email', 254)}
      {input('phone', p.phone, 'tel', 'tel', 40)}
      {input('press_card', p.pressCard, 'text', 'off', 40)}
      <div class="field">
        <label for="acc-language">{p.language}</label>
        <select id="acc-language" value={language} onChange={(e) => setLanguage(e.currentTarget.value)} aria-describedby={describe('language')} data-testid="acc-language">
          {(['sv', 'en', 'fi'] as const).map((l) => (
            <option key={l} value={l}>{p.languageNames[l]}</option>
          ))}
        </select>
        {err('language')}
      </div>
      <fieldset class="field fieldset form-wide" aria-describedby={describe('days')} data-testid="acc-days">
        <legend>{p.days}</legend>
        {info.event.days.map((d, i) => (
          <label class="check" key={d}>
            <input
              id={`acc-day-${i}`}
              type="checkbox"
              value={d}
              checked={days.includes(d)}
              onChange={(e) => setDays(e.currentTarget.checked ? [...days, d] : days.filter((x) => x !== d))}
              aria-invalid={errors.days ? true : undefined}
              data-testid="acc-day"
              data-day={d}
            />
            {dayName(d, locale)}
          </label>
        ))}
        {err('days')}
      </fieldset>
      <fieldset class="field fieldset form-wide" aria-describedby={describe('attendance')} data-testid="acc-attendance">
        <legend>{p.attendanceLegend}</legend>
        {(['hall', 'remote'] as const).map((a) => (
          <label class="check" key={a}>
            <input id={`acc-attendance-${a}`} type="radio" name="acc-attendance" value={a} checked={attendance === a} onChange={() => setAttendance(a)} data-testid={`acc-attendance-${a}`} />
            {p.attendance[a]}
          </label>
        ))}
        {err('attendance')}
      </fieldset>
      <div class="field form-wide">
        <label for="acc-note">{p.note}</label>
        <textarea id="acc-note" rows={4} maxLength={2000} value={v.note} onInput={set('note')} aria-describedby={describe('note', true)} aria-invalid={errors.note ? true : undefined} data-testid="acc-note" />
        <span id="acc-note-hint" class="field-hint">{p.noteHint}</span>
        {err('note')}
      </div>
      {error && (
        <p class="form-error form-wide" role="alert" data-testid="accredit-error-summary">
          {error}
        </p>
      )}
      <div class="form-actions form-wide">
        <button type="submit" class="button" disabled={busy} data-testid="acc-submit">
          {busy ? p.sending : p.submit}
        </button>
      </div>
    </form>
  );
}
