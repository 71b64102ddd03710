// The press officer's console (#press-office/EVENT): the accreditation queue, the grants with
// their live viewers and refused devices, direct accreditation, interview requests, the audit
// export and the settings. A press officer comes signed in (the staff session's cookie, CSRF on
// writes) or with a join token of role press_officer or organizer (#press-office/E&token=T, kept
// for the tab in sessionStorage and taken out of the address bar), as the moderator console does.
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { initialIdentity } from '../identity';
import { pick, type Lang } from '../i18n';
import { RequestError } from '../org-api';
import { eventHref } from '../route';
import { StaffContext, staffRole } from '../staff';
import {
  answerInterview,
  approve,
  coverageOptions,
  grantLink,
  ask,
  downloadAudit,
  getSettings,
  issueGrant,
  listAccreditations,
  listGrants,
  listInterviews,
  putSettings,
  reject,
  revokeGrant,
  speakerLink,
  type Accreditation,
  type Answer,
  type Caller,
  type Contact,
  type CoverageOption,
  type Grant,
  type Interview,
} from './api';
import { bytes, clock, CopyLink, dayName, failure, Loading, when } from './common';
import { pressCatalogs, type PressMessages } from './i18n';
import './press.css';

export type OfficeTab = 'queue' | 'grants' | 'direct' | 'interviews' | 'audit' | 'settings';
const TABS: OfficeTab[] = ['queue', 'grants', 'direct', 'interviews', 'audit', 'settings'];
const GRANTS_REFRESH_MS = 5_000;

const tokenKey = (event: string) => `samling.press.office.${event}`;

/** A token from the address (#press-office/E&token=T), kept for this tab; null without one. */
function officeToken(event: string, fromHash: string | null): string | null {
  try {
    if (fromHash) sessionStorage.setItem(tokenKey(event), fromHash);
    return fromHash ?? sessionStorage.getItem(tokenKey(event));
  } catch {
    return fromHash;
  }
}

interface Props {
  event: string;
  token: string | null;
  lang: Lang;
  locale: string;
}

export function PressOffice({ event, token, lang, locale }: Props) {
  const p = pressCatalogs[lang];
  const staff = useContext(StaffContext);
  const caller = useMemo((): Caller | null => {
    const t = officeToken(event, token);
    if (t) return { kind: 'bearer', token: t };
    const id = initialIdentity(event);
    if (id?.token && (id.role === 'organizer' || id.role === 'press_officer')) return { kind: 'bearer', token: id.token };
    const role = staffRole(staff.account, event);
    if (role === 'organizer' || role === 'press_officer') return { kind: 'session' };
    return null;
  }, [event, token, staff.account]);
  // The token out of the address bar: it is a credential.
  useEffect(() => {
    if (token) history.replaceState(null, '', `#press-office/${encodeURIComponent(event)}`);
  }, [token, event]);
  useEffect(() => {
    document.title = p.documentTitle;
  }, [p]);

  if (staff.loading && !caller) return <Loading p={p} />;
  if (!caller) {
    return (
      <section class="panel panel--narrow press-page" data-testid="office-signed-out">
        <h1 class="panel-title">{p.officeTitle}</h1>
        <p>{staff.account ? p.notOfficer : p.signInNeeded}</p>
        {!staff.account && <a class="button" href="#sign-in">{p.signInButton}</a>}
      </section>
    );
  }
  return <Office event={event} caller={caller} lang={lang} locale={locale} p={p} />;
}

function Office({ event, caller, lang, locale, p }: { event: string; caller: Caller; lang: Lang; locale: string; p: PressMessages }) {
  const [tab, setTab] = useState<OfficeTab>('queue');
  const tabs = useRef<HTMLDivElement>(null);
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next =
      e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length]
      : e.key === 'ArrowLeft' ? TABS[(i - 1 + TABS.length) % TABS.length]
      : e.key === 'Home' ? TABS[0]
      : e.key === 'End' ? TABS[TABS.length - 1]
      : undefined;
    if (next) {
      e.preventDefault();
      setTab(next);
      tabs.current?.querySelector<HTMLButtonElement>(`[data-tab="${next}"]`)?.focus();
    }
  };
  return (
    <div class="press-office" data-testid="press-office" data-event-id={event}>
      <header class="press-office-head">
        <h1 class="panel-title">{p.officeTitle}</h1>
        <a href={eventHref(event)}>{p.backToEvent}</a>
      </header>
      <div class="press-tabs" role="tablist" aria-label={p.tabsLabel} ref={tabs} onKeyDown={onKey} data-testid="office-tabs">
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`office-tab-${k}`}
            class="press-tab"
            aria-selected={k === tab}
            aria-controls="office-panel"
            tabIndex={k === tab ? 0 : -1}
            onClick={() => setTab(k)}
            data-testid={`office-tab-${k}`}
            data-tab={k}
          >
            {p.tabs[k]}
          </button>
        ))}
      </div>
      <div id="office-panel" role="tabpanel" aria-labelledby={`office-tab-${tab}`} class="press-panel" data-testid={`office-panel-${tab}`}>
        {tab === 'queue' && <Queue event={event} caller={caller} locale={locale} p={p} />}
        {tab === 'grants' && <Grants event={event} caller={caller} locale={locale} p={p} />}
        {tab === 'direct' && <Direct event={event} caller={caller} lang={lang} p={p} />}
        {tab === 'interviews' && <Interviews event={event} caller={caller} lang={lang} locale={locale} p={p} />}
        {tab === 'audit' && <Audit event={event} caller={caller} p={p} />}
        {tab === 'settings' && <Settings event={event} caller={caller} p={p} />}
      </div>
    </div>
  );
}

type Loaded<T> = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T; at: number };

/** Loads now, on `reload()`, and every `everyMs` while the page is visible (0: never). */
function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, everyMs = 0): [Loaded<T>, () => void, (f: (d: T) => T) => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [n, setN] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const run = () => {
      controller = new AbortController();
      loadRef.current(controller.signal).then(
        (data) => !stopped && setState({ status: 'ready', data, at: Date.now() }),
        (error: unknown) => {
          // A failed refresh keeps what is shown; only the first load shows the error.
          if (!stopped && !controller.signal.aborted) setState((s) => (s.status === 'ready' ? s : { status: 'error', error }));
        },
      ).finally(() => {
        if (!stopped && everyMs > 0) timer = setTimeout(tick, everyMs);
      });
    };
    const tick = () => {
      if (document.visibilityState === 'visible') run();
      else timer = setTimeout(tick, everyMs);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible' && everyMs > 0) {
        clearTimeout(timer);
        controller.abort();
        run();
      }
    };
    run();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [n, everyMs]);
  const update = useCallback((f: (d: T) => T) => setState((s) => (s.status === 'ready' ? { ...s, data: f(s.data) } : s)), []);
  return [state, useCallback(() => setN((x) => x + 1), []), update];
}

function Shown<T>({ state, p, retry, children }: { state: Loaded<T>; p: PressMessages; retry: () => void; children: (data: T) => preact.ComponentChildren }) {
  if (state.status === 'loading') return <Loading p={p} />;
  if (state.status === 'error') {
    return (
      <div class="press-error" role="alert" data-testid="office-error">
        <p>{failure(p, state.error)}</p>
        <button type="button" class="button button--secondary button--small" onClick={retry}>{p.retry}</button>
      </div>
    );
  }
  return <>{children(state.data)}</>;
}

function Status({ text, ok, testid }: { text: string; ok: boolean; testid: string }) {
  return (
    <p class={ok ? 'press-ok' : 'form-error'} role="status" data-testid={testid}>
      {text}
    </p>
  );
}

// --- Queue ----------------------------------------------------------------------------------------------

function Queue({ event, caller, locale, p }: { event: string; caller: Caller; locale: string; p: PressMessages }) {
  const [state, reload, update] = usePolled((s) => listAccreditations(caller, event, s), 15_000);
  const options = useCoverageOptions(caller, event);
  const [status, setStatus] = useState<{ text: string; ok: boolean; link?: string; name?: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const replace = (a: Accreditation) => update((list) => list.map((x) => (x.id === a.id ? { ...x, ...a } : x)));
  return (
    <Shown state={state} p={p} retry={reload}>
      {(list) => {
        const open = list.filter((a) => a.state === 'pending' || a.state === 'info_requested');
        const decided = list.filter((a) => !(a.state === 'pending' || a.state === 'info_requested'));
        return (
          <>
            <h2 class="press-h" tabIndex={-1} ref={heading}>{p.tabs.queue}</h2>
            {status && <Status text={status.text} ok={status.ok} testid="queue-status" />}
            {status?.link && <CopyLink link={status.link} label={p.approvedLink(status.name ?? '')} p={p} testid="approved-link" />}
            {open.length === 0 && <p class="press-dim" data-testid="queue-empty">{p.queueEmpty}</p>}
            <ul class="press-cards" data-testid="queue">
              {open.map((a) => (
                <li key={a.id}>
                  <RequestCard
                    a={a}
                    locale={locale}
                    p={p}
                    options={options}
                    onApprove={async (opts) => {
                      const r = await approve(caller, event, a.id, opts);
                      replace(r.accreditation);
                      setStatus({ text: '', ok: true, link: r.link, name: a.name });
                      heading.current?.focus();
                    }}
                    onReject={async (reason) => {
                      replace(await reject(caller, event, a.id, reason));
                      setStatus({ text: p.rejectedDone(a.name), ok: true });
                      heading.current?.focus();
                    }}
                    onAsk={async (question) => {
                      replace(await ask(caller, event, a.id, question));
                      setStatus({ text: p.askedDone(a.name), ok: true });
                    }}
                  />
                </li>
              ))}
            </ul>
            {decided.length > 0 && (
              <details class="press-decided">
                <summary>{p.decided} ({decided.length})</summary>
                <ul class="press-cards">
                  {decided.map((a) => (
                    <li key={a.id}>
                      <RequestCard a={a} locale={locale} p={p} />
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        );
      }}
    </Shown>
  );
}

interface CardProps {
  a: Accreditation;
  locale: string;
  p: PressMessages;
  /** `opts`: valid_from / valid_until (RFC 3339) and device_cap when the officer changed them. */
  onApprove?: (opts: Record<string, unknown>) => Promise<void>;
  onReject?: (reason: string) => Promise<void>;
  onAsk?: (question: string) => Promise<void>;
  /** The stages and rooms the approval may limit the grant to. */
  options?: Coverage | undefined;
}

function RequestCard({ a, locale, p, onApprove, onReject, onAsk, options }: CardProps) {
  const [mode, setMode] = useState<'none' | 'reject' | 'ask' | 'approve'>('none');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [cap, setCap] = useState('');
  const [covered, setCovered] = useState<Chosen>(NONE_CHOSEN);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fieldId = `req-${a.id}-text`;
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      setMode('none');
      setText('');
    } catch (e) {
      setError(e instanceof RequestError && e.code === 'accreditation_state' ? p.failed(e.detail || e.code) : failure(p, e));
    } finally {
      setBusy(false);
    }
  };
  const submitText = (e: Event) => {
    e.preventDefault();
    if (!text.trim()) {
      setError(p.required);
      document.getElementById(fieldId)?.focus();
      return;
    }
    void run(() => (mode === 'reject' ? onReject!(text.trim()) : onAsk!(text.trim())));
  };
  // Approve with other dates than the event's days (the default) or another device cap. The
  // fields are in the browser's own time; sent as UTC instants.
  const submitApprove = (e: Event) => {
    e.preventDefault();
    const opts: Record<string, unknown> = {};
    const instant = (v: string) => (v ? new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z') : null);
    const f = instant(from);
    const u = instant(until);
    if (f) opts['valid_from'] = f;
    if (u) opts['valid_until'] = u;
    const n = Number(cap);
    if (cap.trim() && Number.isInteger(n) && n > 0) opts['device_cap'] = n;
    Object.assign(opts, coverageBody(covered));
    void run(() => onApprove!(opts));
  };
  const headingId = `req-${a.id}-name`;
  return (
    <article class="press-card" aria-labelledby={headingId} data-testid="request-card" data-id={a.id} data-state={a.state}>
      <header class="press-card-head">
        <h3 id={headingId} class="press-card-title">
          {a.name} <span class="press-dim">· {a.outlet}</span>
        </h3>
        <span class={`press-state press-state--${a.state}`} data-testid="request-card-state">{p.states[a.state] ?? a.state}</span>
      </header>
      <dl class="press-facts press-facts--compact">
        <div><dt>{p.email}</dt><dd><a href={`mailto:${a.email}`}>{a.email}</a></dd></div>
        {a.phone && <div><dt>{p.phone}</dt><dd>{a.phone}</dd></div>}
        {a.press_card && <div><dt>{p.pressCard}</dt><dd>{a.press_card}</dd></div>}
        <div><dt>{p.dayNames(a.days.length)}</dt><dd>{a.days.map((d) => dayName(d, locale)).join(', ')}</dd></div>
        <div><dt>{p.attendanceLegend}</dt><dd>{p.attendance[a.attendance] ?? a.attendance}</dd></div>
        <div><dt>{p.language}</dt><dd>{p.languageNames[a.language] ?? a.language}</dd></div>
        <div><dt>{p.submittedAt}</dt><dd>{when(a.created_at, locale)}</dd></div>
      </dl>
      {a.note && <p class="press-note-text" data-testid="request-card-note">{a.note}</p>}
      {a.question && <p><strong>{p.question}:</strong> {a.question}</p>}
      {a.reason && <p><strong>{p.reasonLabel}:</strong> {a.reason}</p>}
      {onApprove && mode === 'none' && (
        <div class="press-actions">
          <button type="button" class="button button--small" disabled={busy} onClick={() => void run(() => onApprove({}))} data-testid="request-approve">{p.approve}</button>
          <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => setMode('approve')} data-testid="request-approve-options">{p.approveWithOptions}</button>
          <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => setMode('reject')} data-testid="request-reject">{p.rejectButton}</button>
          {a.state === 'pending' && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => setMode('ask')} data-testid="request-ask">{p.askButton}</button>
          )}
        </div>
      )}
      {mode === 'approve' && (
        <form class="form press-inline-form" onSubmit={submitApprove} noValidate data-testid="request-approve-form">
          <p class="field-hint" id={`req-${a.id}-validity-hint`}>{p.validityHint}</p>
          <div class="field">
            <label for={`req-${a.id}-from`}>{p.validFrom}</label>
            <input id={`req-${a.id}-from`} type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} aria-describedby={`req-${a.id}-validity-hint`} data-testid="approve-from" />
          </div>
          <div class="field">
            <label for={`req-${a.id}-until`}>{p.validUntilLabel}</label>
            <input id={`req-${a.id}-until`} type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} aria-describedby={`req-${a.id}-validity-hint`} data-testid="approve-until" />
          </div>
          <div class="field">
            <label for={`req-${a.id}-cap`}>{p.deviceCap}</label>
            <input id={`req-${a.id}-cap`} type="number" min={1} value={cap} onInput={(e) => setCap(e.currentTarget.value)} data-testid="approve-cap" />
          </div>
          <CoverageFields idBase={`req-${a.id}`} options={options} chosen={covered} onChange={setCovered} p={p} />
          <div class="press-actions">
            <button type="submit" class="button button--small" disabled={busy} data-testid="request-approve-confirm">{p.approve}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('none')}>{p.cancel}</button>
          </div>
        </form>
      )}
      {(mode === 'reject' || mode === 'ask') && (
        <form class="form press-inline-form" onSubmit={submitText} noValidate data-testid={`request-${mode}-form`}>
          <div class="field">
            <label for={fieldId}>{mode === 'reject' ? p.reasonPrompt : p.questionPrompt}</label>
            <textarea id={fieldId} rows={3} maxLength={1000} value={text} onInput={(e) => setText(e.currentTarget.value)} ref={(el) => el?.focus()} aria-invalid={error ? true : undefined} data-testid={`request-${mode}-text`} />
          </div>
          <div class="press-actions">
            <button type="submit" class="button button--small" disabled={busy} data-testid={`request-${mode}-confirm`}>{mode === 'reject' ? p.confirmReject : p.confirmAsk}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => { setMode('none'); setError(null); }}>{p.cancel}</button>
          </div>
        </form>
      )}
      {error && <p class="form-error" role="alert" data-testid="request-error">{error}</p>}
    </article>
  );
}

// --- What a grant covers -----------------------------------------------------------------------------------

type Coverage = { stages: CoverageOption[]; rooms: CoverageOption[] };
/** The chosen stage and room ids; an empty list is "all" (nothing sent: the server's "*"). */
type Chosen = { stages: string[]; rooms: string[] };
const NONE_CHOSEN: Chosen = { stages: [], rooms: [] };

function coverageBody(c: Chosen): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.stages.length > 0) out['stages'] = c.stages;
  if (c.rooms.length > 0) out['rooms'] = c.rooms;
  return out;
}

/** The event's gated stages and its rooms, loaded once; undefined until then (or on failure). */
function useCoverageOptions(caller: Caller, event: string): Coverage | undefined {
  const [options, setOptions] = useState<Coverage | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    coverageOptions(caller, event, controller.signal).then(setOptions, () => undefined);
    return () => controller.abort();
  }, [caller, event]);
  return options;
}

function CoverageFields({ idBase, options, chosen, onChange, p }: { idBase: string; options: Coverage | undefined; chosen: Chosen; onChange: (c: Chosen) => void; p: PressMessages }) {
  const lang = (document.documentElement.lang || 'sv') as Lang;
  if (!options || (options.stages.length === 0 && options.rooms.length === 0)) return null;
  const group = (k: 'stages' | 'rooms', list: CoverageOption[], all: string) =>
    list.length > 0 && (
      <fieldset class="field fieldset" data-testid={`coverage-${k}`}>
        <legend>{k === 'stages' ? p.stages : p.rooms}</legend>
        <label class="check">
          <input type="checkbox" checked={chosen[k].length === 0} onChange={() => onChange({ ...chosen, [k]: [] })} data-testid={`coverage-${k}-all`} />
          {all}
        </label>
        {list.map((o) => (
          <label class="check" key={o.id}>
            <input
              type="checkbox"
              id={`${idBase}-${k}-${o.id}`}
              checked={chosen[k].includes(o.id)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                onChange({ ...chosen, [k]: on ? [...chosen[k], o.id] : chosen[k].filter((x) => x !== o.id) });
              }}
              data-testid={`coverage-${k}-option`}
              data-id={o.id}
            />
            {typeof o.name === 'string' ? o.name : pick(o.name, lang).text || o.id}
          </label>
        ))}
      </fieldset>
    );
  return (
    <div class="press-coverage" role="group" aria-labelledby={`${idBase}-coverage`} aria-describedby={`${idBase}-coverage-hint`} data-testid="coverage">
      <p id={`${idBase}-coverage`} class="press-h4">{p.coverageLegend}</p>
      <p id={`${idBase}-coverage-hint`} class="field-hint">{p.coverageHint}</p>
      {group('stages', options.stages, p.allStages)}
      {group('rooms', options.rooms, p.allRooms)}
    </div>
  );
}

// --- Grants ---------------------------------------------------------------------------------------------

function Grants({ event, caller, locale, p }: { event: string; caller: Caller; locale: string; p: PressMessages }) {
  const [state, reload, update] = usePolled((s) => listGrants(caller, event, s), GRANTS_REFRESH_MS);
  const [status, setStatus] = useState<string>('');
  return (
    <Shown state={state} p={p} retry={reload}>
      {(grants) => (
        <>
          <div class="press-row">
            <h2 class="press-h">{p.tabs.grants}</h2>
            {state.status === 'ready' && <span class="press-dim" data-testid="grants-refreshed">{p.refreshed(clock(state.at, locale))}</span>}
          </div>
          <p class="press-ok" role="status" data-testid="grants-status">{status}</p>
          {grants.length === 0 && <p class="press-dim" data-testid="grants-empty">{p.grantsEmpty}</p>}
          <ul class="press-cards" data-testid="grants">
            {grants.map((g) => (
              <li key={g.id}>
                <GrantCard
                  g={g}
                  locale={locale}
                  p={p}
                  onLink={() => grantLink(caller, event, g.id)}
                  onRevoke={async (reason) => {
                    const next = await revokeGrant(caller, event, g.id, reason);
                    update((list) => list.map((x) => (x.id === g.id ? { ...x, ...next } : x)));
                    setStatus(p.revokedDone(g.name));
                  }}
                />
              </li>
            ))}
          </ul>
        </>
      )}
    </Shown>
  );
}

interface GrantCardProps {
  g: Grant;
  locale: string;
  p: PressMessages;
  onRevoke: (reason: string) => Promise<void>;
  onLink: () => Promise<string>;
}

function GrantCard({ g, locale, p, onRevoke, onLink }: GrantCardProps) {
  const [revoking, setRevoking] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = g.live ?? [];
  const refusals = g.refusals ?? [];
  const devices = new Set(live.map((v) => v.device)).size;
  const headingId = `grant-${g.id}-name`;
  // The link is not stored: the server signs the grant again. Copied at once when the browser
  // lets it (after the request it may not); the field below holds it to copy by hand.
  const copyLink = async () => {
    setBusy(true);
    setError(null);
    setCopied('');
    try {
      const l = await onLink();
      setLink(l);
      try {
        await navigator.clipboard.writeText(l);
        setCopied(p.copied);
      } catch {
        setCopied(p.copyFailed);
      }
    } catch (err) {
      setError(failure(p, err));
    } finally {
      setBusy(false);
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onRevoke(reason.trim());
      setRevoking(false);
    } catch (err) {
      setError(failure(p, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="press-card" aria-labelledby={headingId} data-testid="grant-card" data-id={g.id} data-state={g.state}>
      <header class="press-card-head">
        <h3 id={headingId} class="press-card-title">
          {g.name} {g.outlet && <span class="press-dim">· {g.outlet}</span>}
        </h3>
        <span class={`press-state press-state--${g.state}`} data-testid="grant-state">{p.grantStates[g.state] ?? g.state}</span>
      </header>
      <dl class="press-facts press-facts--compact">
        <div><dt>{p.validity}</dt><dd>{when(g.valid_from, locale)} – {when(g.valid_until, locale)}</dd></div>
        {g.stages.length > 0 && <div><dt>{p.stages}</dt><dd>{g.stages.join(', ')}</dd></div>}
        {g.rooms.length > 0 && <div><dt>{p.rooms}</dt><dd>{g.rooms.join(', ')}</dd></div>}
        <div><dt>{p.liveNow}</dt><dd data-testid="grant-devices" data-count={devices}>{p.devices(devices, g.device_cap)}</dd></div>
      </dl>
      {g.state === 'revoked' && g.revoked_at ? <p class="press-dim">{p.revokedInfo(when(g.revoked_at, locale), g.revoke_reason ?? '')}</p> : null}
      {live.length > 0 ? (
        // Focusable and named: on a phone the table scrolls sideways by keyboard too.
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`${p.liveNow}: ${g.name}`}>
          <table class="console-table press-table" data-testid="grant-live">
            <caption class="visually-hidden">{p.liveNow}: {g.name}</caption>
            <thead>
              <tr>
                <th scope="col">{p.device}</th>
                <th scope="col">{p.stage}</th>
                <th scope="col">{p.address}</th>
                <th scope="col">{p.since}</th>
                <th scope="col">{p.bytes}</th>
              </tr>
            </thead>
            <tbody>
              {live.map((v) => (
                <tr key={`${v.device}/${v.stage}`} data-testid="grant-viewer" data-device={v.device}>
                  <td title={v.user_agent}><code>{v.device.slice(0, 10)}</code></td>
                  <td>{v.stage}</td>
                  <td>{v.address}</td>
                  <td>{clock(v.first_at, locale)}</td>
                  <td>{bytes(v.bytes, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        g.state === 'active' && <p class="press-dim">{p.noViewers}</p>
      )}
      {refusals.length > 0 && (
        <div class="press-refusals" data-testid="grant-refusals">
          <h4 class="press-h4">{p.refusedDevices}</h4>
          <ul>
            {refusals.map((r, i) => (
              <li key={i} data-testid="grant-refusal" title={r.user_agent}>
                {p.refusal(clock(r.at, locale), r.address, r.stage)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {g.state !== 'revoked' && !revoking && (
        <div class="press-actions">
          {g.state === 'active' && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void copyLink()} data-testid="grant-copy-link">{p.copyGrantLink}</button>
          )}
          <button type="button" class="button button--secondary button--small" onClick={() => setRevoking(true)} data-testid="grant-revoke">{p.revoke}</button>
        </div>
      )}
      {link && g.state !== 'revoked' && (
        <>
          <CopyLink link={link} label={p.grantLinkLabel(g.name)} p={p} testid="grant-link" inputId={`grant-link-${g.id}`} />
          <p class="press-dim" role="status" data-testid="grant-link-copied">{copied}</p>
        </>
      )}
      {revoking && (
        <form class="form press-inline-form" onSubmit={submit} noValidate data-testid="grant-revoke-form">
          <div class="field">
            <label for={`revoke-${g.id}`}>{p.revokeReason}</label>
            <input id={`revoke-${g.id}`} value={reason} maxLength={1000} onInput={(e) => setReason(e.currentTarget.value)} ref={(el) => el?.focus()} data-testid="grant-revoke-reason" />
          </div>
          <div class="press-actions">
            <button type="submit" class="button button--danger button--small" disabled={busy} data-testid="grant-revoke-confirm">{p.confirmRevoke}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setRevoking(false)}>{p.cancel}</button>
          </div>
        </form>
      )}
      {error && <p class="form-error" role="alert">{error}</p>}
    </article>
  );
}

// --- Accredit directly -------------------------------------------------------------------------------------

function Direct({ event, caller, lang, p }: { event: string; caller: Caller; lang: Lang; p: PressMessages }) {
  const [v, setV] = useState({ name: '', outlet: '', email: '', language: lang as string, device_cap: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{ name: string; link: string } | null>(null);
  const options = useCoverageOptions(caller, event);
  const [covered, setCovered] = useState<Chosen>(NONE_CHOSEN);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!v.name.trim()) {
      setErrors({ name: p.required });
      document.getElementById('direct-name')?.focus();
      return;
    }
    setErrors({});
    setError(null);
    setBusy(true);
    try {
      const body: Record<string, unknown> = { name: v.name.trim(), language: v.language };
      if (v.outlet.trim()) body['outlet'] = v.outlet.trim();
      if (v.email.trim()) body['email'] = v.email.trim();
      const cap = Number(v.device_cap);
      if (v.device_cap.trim() && Number.isInteger(cap) && cap > 0) body['device_cap'] = cap;
      Object.assign(body, coverageBody(covered));
      const r = await issueGrant(caller, event, body);
      setIssued({ name: v.name.trim(), link: r.link });
      setV({ name: '', outlet: '', email: '', language: lang, device_cap: '' });
      setCovered(NONE_CHOSEN);
    } catch (err) {
      const fields: Record<string, string> = {};
      if (err instanceof RequestError) for (const f of err.fields) fields[f.field] = f.message;
      setErrors(fields);
      setError(failure(p, err));
    } finally {
      setBusy(false);
    }
  };
  const field = (k: 'name' | 'outlet' | 'email' | 'device_cap', label: string, type: 'text' | 'email' | 'number' = 'text') => (
    <div class="field">
      <label for={`direct-${k}`}>{label}</label>
      <input
        id={`direct-${k}`}
        type={type as 'text'}
        {...(type === 'number' ? { min: 1 } : {})}
        value={v[k]}
        onInput={(e) => setV({ ...v, [k]: e.currentTarget.value })}
        aria-invalid={errors[k] ? true : undefined}
        aria-describedby={errors[k] ? `direct-${k}-error` : undefined}
        data-testid={`direct-${k}`}
      />
      {errors[k] && <span id={`direct-${k}-error`} class="form-error">{errors[k]}</span>}
    </div>
  );
  return (
    <>
      <h2 class="press-h">{p.tabs.direct}</h2>
      <p class="press-dim">{p.directIntro}</p>
      <form class="form form--grid" onSubmit={submit} noValidate data-testid="direct-form">
        {field('name', p.name)}
        {field('outlet', p.outlet)}
        {field('email', p.emailOptional, 'email')}
        <div class="field">
          <label for="direct-language">{p.language}</label>
          <select id="direct-language" value={v.language} onChange={(e) => setV({ ...v, language: e.currentTarget.value })} data-testid="direct-language">
            {(['sv', 'en', 'fi'] as const).map((l) => <option key={l} value={l}>{p.languageNames[l]}</option>)}
          </select>
        </div>
        {field('device_cap', p.deviceCap, 'number')}
        <div class="form-wide">
          <CoverageFields idBase="direct" options={options} chosen={covered} onChange={setCovered} p={p} />
        </div>
        {error && <p class="form-error form-wide" role="alert">{error}</p>}
        <div class="form-actions form-wide">
          <button type="submit" class="button" disabled={busy} data-testid="direct-submit">{p.issue}</button>
        </div>
      </form>
      {issued && <CopyLink link={issued.link} label={p.issuedLink(issued.name)} p={p} testid="direct-link" />}
    </>
  );
}

// --- Interviews ---------------------------------------------------------------------------------------------

function Interviews({ event, caller, lang, locale, p }: { event: string; caller: Caller; lang: Lang; locale: string; p: PressMessages }) {
  const [state, reload, update] = usePolled((s) => listInterviews(caller, event, s), 15_000);
  return (
    <Shown state={state} p={p} retry={reload}>
      {(list) => (
        <>
          <h2 class="press-h">{p.tabs.interviews}</h2>
          {list.length === 0 && <p class="press-dim" data-testid="interviews-empty">{p.interviewsEmpty}</p>}
          <ul class="press-cards" data-testid="office-interviews">
            {list.map((iv) => (
              <li key={iv.id}>
                <OfficeInterview
                  iv={iv}
                  locale={locale}
                  p={p}
                  onAnswer={async (a, proposed, note) => {
                    const next = await answerInterview(caller, event, iv.id, a, proposed, note);
                    update((l) => l.map((x) => (x.id === iv.id ? { ...x, ...next } : x)));
                  }}
                  onLink={(email) => speakerLink(caller, event, iv.id, email, lang)}
                />
              </li>
            ))}
          </ul>
        </>
      )}
    </Shown>
  );
}

interface OfficeInterviewProps {
  iv: Interview;
  locale: string;
  p: PressMessages;
  onAnswer: (a: Answer, proposed: string, note: string) => Promise<void>;
  onLink: (email: string) => Promise<string>;
}

function OfficeInterview({ iv, locale, p, onAnswer, onLink }: OfficeInterviewProps) {
  const [email, setEmail] = useState(iv.speaker_email ?? '');
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = `iv-${iv.id}`;
  const makeLink = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setLink(await onLink(email.trim()));
    } catch (err) {
      setError(failure(p, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="press-card" aria-labelledby={headingId} data-testid="office-interview" data-id={iv.id} data-state={iv.state}>
      <header class="press-card-head">
        <h3 id={headingId} class="press-card-title">{iv.journalist} → {iv.speaker}</h3>
        <span class={`press-state press-state--${iv.state}`} data-testid="office-interview-state">{p.interviewStates[iv.state] ?? iv.state}</span>
      </header>
      <InterviewFacts iv={iv} locale={locale} p={p} />
      {(iv.state === 'requested' || iv.state === 'proposed') && <AnswerForm idBase={`office-${iv.id}`} p={p} onAnswer={onAnswer} />}
      {(iv.state === 'requested' || iv.state === 'proposed') && (
        <form class="form press-inline-form press-row" onSubmit={makeLink} noValidate data-testid="speaker-link-form">
          <div class="field">
            <label for={`sl-${iv.id}`}>{p.speakerEmail}</label>
            <input id={`sl-${iv.id}`} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} data-testid="speaker-link-email" />
          </div>
          <button type="submit" class="button button--secondary button--small" disabled={busy} data-testid="speaker-link-make">{p.makeSpeakerLink}</button>
        </form>
      )}
      {link && <CopyLink link={link} label={p.speakerLinkMade} p={p} testid="speaker-link" />}
      {error && <p class="form-error" role="alert">{error}</p>}
    </article>
  );
}

export function InterviewFacts({ iv, locale, p }: { iv: Interview; locale: string; p: PressMessages }) {
  return (
    <dl class="press-facts press-facts--compact">
      {iv.journalist && <div><dt>{p.journalist}</dt><dd data-testid="iv-journalist">{iv.journalist}</dd></div>}
      <div><dt>{p.speaker}</dt><dd data-testid="iv-speaker">{iv.speaker}</dd></div>
      {iv.wanted && <div><dt>{p.wanted}</dt><dd data-testid="iv-wanted">{iv.wanted}</dd></div>}
      {iv.proposed && <div><dt>{p.proposedTime}</dt><dd data-testid="iv-proposed">{iv.proposed}</dd></div>}
      {iv.note && <div><dt>{p.answerNote}</dt><dd>{iv.note}</dd></div>}
      {iv.answer_note && <div><dt>{p.yourAnswer}</dt><dd data-testid="iv-answer-note">{iv.answer_note}</dd></div>}
      {iv.created_at > 0 && <div><dt>{p.submittedAt}</dt><dd>{when(iv.created_at, locale)}</dd></div>}
    </dl>
  );
}

/** Accept, propose another time (with the time), or decline; a note with any of them. */
export function AnswerForm({ idBase, p, onAnswer }: { idBase: string; p: PressMessages; onAnswer: (a: Answer, proposed: string, note: string) => Promise<void> }) {
  const [answer, setAnswer] = useState<Answer>('accept');
  const [proposed, setProposed] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (answer === 'propose' && !proposed.trim()) {
      setError(p.required);
      document.getElementById(`${idBase}-proposed`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onAnswer(answer, proposed.trim(), note.trim());
    } catch (err) {
      setError(failure(p, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form press-answer-form" onSubmit={submit} noValidate data-testid="answer-form">
      <fieldset class="field fieldset">
        <legend>{p.yourAnswer}</legend>
        {(['accept', 'propose', 'decline'] as const).map((a) => (
          <label class="check" key={a}>
            <input type="radio" name={`${idBase}-answer`} value={a} checked={answer === a} onChange={() => setAnswer(a)} data-testid={`answer-${a}`} />
            {a === 'accept' ? p.accept : a === 'propose' ? p.propose : p.decline}
          </label>
        ))}
      </fieldset>
      {answer === 'propose' && (
        <div class="field">
          <label for={`${idBase}-proposed`}>{p.proposedTime}</label>
          <input id={`${idBase}-proposed`} maxLength={200} value={proposed} onInput={(e) => setProposed(e.currentTarget.value)} aria-invalid={error ? true : undefined} data-testid="answer-proposed" />
        </div>
      )}
      <div class="field">
        <label for={`${idBase}-note`}>{p.noteOptional}</label>
        <input id={`${idBase}-note`} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} data-testid="answer-note" />
      </div>
      {error && <p class="form-error" role="alert" data-testid="answer-error">{error}</p>}
      <div class="press-actions">
        <button type="submit" class="button button--small" disabled={busy} data-testid="answer-send">{p.sendButton}</button>
      </div>
    </form>
  );
}

// --- Audit and settings -----------------------------------------------------------------------------------

function Audit({ event, caller, p }: { event: string; caller: Caller; p: PressMessages }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await downloadAudit(caller, event);
    } catch (e) {
      setError(failure(p, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h2 class="press-h">{p.tabs.audit}</h2>
      <p>{p.auditIntro}</p>
      <button type="button" class="button" disabled={busy} onClick={go} data-testid="audit-download">{p.auditDownload}</button>
      {error && <p class="form-error" role="alert">{error}</p>}
    </>
  );
}

function Settings({ event, caller, p }: { event: string; caller: Caller; p: PressMessages }) {
  const [state, reload, update] = usePolled((s) => getSettings(caller, event, s));
  const [status, setStatus] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Shown state={state} p={p} retry={reload}>
      {(s) => {
        const setContact = (i: number, k: keyof Contact, value: string) =>
          update((x) => ({ ...x, contacts: x.contacts.map((c, j) => (j === i ? { ...c, [k]: value } : c)) }));
        const save = async (e: Event) => {
          e.preventDefault();
          setBusy(true);
          setStatus(null);
          try {
            const saved = await putSettings(caller, event, { accreditation_open: s.accreditation_open, contacts: s.contacts.filter((c) => c.name.trim()) });
            update(() => saved);
            setStatus({ text: p.saved, ok: true });
          } catch (err) {
            setStatus({ text: failure(p, err), ok: false });
          } finally {
            setBusy(false);
          }
        };
        return (
          <form class="form" onSubmit={save} noValidate data-testid="settings-form">
            <h2 class="press-h">{p.tabs.settings}</h2>
            <label class="check">
              <input type="checkbox" checked={s.accreditation_open} onChange={(e) => update((x) => ({ ...x, accreditation_open: e.currentTarget.checked }))} data-testid="settings-open" />
              {p.accreditationOpen}
            </label>
            <fieldset class="fieldset">
              <legend>{p.contactsTitle}</legend>
              {s.contacts.map((c, i) => (
                <div class="press-contact-edit" key={i} data-testid="settings-contact">
                  {(['name', 'role', 'email', 'phone'] as const).map((k) => (
                    <div class="field" key={k}>
                      <label for={`contact-${i}-${k}`}>{k === 'name' ? p.contactName : k === 'role' ? p.contactRole : k === 'email' ? p.contactEmail : p.contactPhone}</label>
                      <input id={`contact-${i}-${k}`} type={(k === 'email' ? 'email' : k === 'phone' ? 'tel' : 'text') as 'text'} value={c[k] ?? ''} onInput={(e) => setContact(i, k, e.currentTarget.value)} data-testid={`contact-${k}`} />
                    </div>
                  ))}
                  <button type="button" class="button button--secondary button--small" onClick={() => update((x) => ({ ...x, contacts: x.contacts.filter((_, j) => j !== i) }))}>
                    {p.removeContact}
                  </button>
                </div>
              ))}
              <button type="button" class="button button--secondary button--small" onClick={() => update((x) => ({ ...x, contacts: [...x.contacts, { name: '', role: '', email: '', phone: '' }] }))} data-testid="settings-add-contact">
                {p.addContact}
              </button>
            </fieldset>
            <div class="form-actions">
              <button type="submit" class="button" disabled={busy} data-testid="settings-save">{p.save}</button>
            </div>
            {status && <Status text={status.text} ok={status.ok} testid="settings-status" />}
          </form>
        );
      }}
    </Shown>
  );
}
