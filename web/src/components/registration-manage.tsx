// An attendee's own registration (#event=E&registration=TOKEN, the link in the confirmation
// e-mail): what is stored, a JSON download of it, cancel (the seat goes to the waiting list)
// and delete (everything stored about them for the event).
import { useEffect, useState } from 'preact/hooks';
import { pick, type Lang, type Messages } from '../i18n';
import type { LocalizedText } from '../api';
import { cancelMine, deleteMine, myRegistration, type Registration } from '../org-api';
import { eventHref } from '../route';
import { failure, formatInstant } from './console/common';

/** What GET /registrations/mine carries besides the registration. */
interface Mine {
  timezone?: string;
  event_title?: LocalizedText;
}

export function ManageRegistration({ event, token, t }: { event: string; token: string; t: Messages }) {
  const o = t.org;
  const [state, setState] = useState<{ registration: Registration; raw: unknown } | 'loading' | 'invalid' | 'deleted'>('loading');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [n, setN] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    myRegistration(token, controller.signal).then(setState, () => {
      if (!controller.signal.aborted) setState('invalid');
    });
    return () => controller.abort();
  }, [token, n]);

  const act = async (what: 'cancel' | 'delete') => {
    if (!confirm(what === 'cancel' ? o.confirmCancel : o.confirmDeleteData)) return;
    setBusy(true);
    setMessage(null);
    try {
      if (what === 'cancel') {
        await cancelMine(token);
        setMessage({ ok: true, text: o.cancelledText });
        setN((x) => x + 1);
      } else {
        await deleteMine(token);
        setState('deleted');
        setMessage({ ok: true, text: o.deletedText });
      }
    } catch (e) {
      setMessage({ ok: false, text: failure(t, e) });
    } finally {
      setBusy(false);
    }
  };

  // The app sets <html lang> to the language it shows (app.tsx).
  const lang = (document.documentElement.lang || 'sv') as Lang;
  const locale = document.documentElement.lang || 'sv';
  const mine = typeof state === 'object' ? (state.raw as Mine) : null;
  const title = mine?.event_title ? pick(mine.event_title, lang) : null;
  const zone = mine?.timezone ?? 'Europe/Stockholm';

  const download = (raw: unknown) => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(raw, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `registration-${event}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <section class="panel" aria-labelledby="manage-heading" data-testid="manage-registration">
      <h1 id="manage-heading" class="panel-title">{o.manageTitle}</h1>
      {title && <p class="panel-intro" data-testid="manage-event"><span lang={title.lang}>{title.text}</span></p>}
      <p role="status" class={message?.ok === false ? 'form-error' : 'form-ok'} data-testid="manage-status">{message?.text ?? ''}</p>
      {state === 'loading' && <p role="status">{t.loading}</p>}
      {state === 'invalid' && <p class="form-error" data-testid="manage-invalid">{o.manageInvalid}</p>}
      {typeof state === 'object' && (
        <>
          <p class="panel-intro">{o.manageIntro}</p>
          <h2 class="panel-subtitle">{o.yourData}</h2>
          <dl class="kv" data-testid="manage-data">
            <div><dt>{o.name}</dt><dd>{state.registration.name}</dd></div>
            <div><dt>{o.email}</dt><dd>{state.registration.email}</dd></div>
            {state.registration.organization && <div><dt>{o.organization}</dt><dd>{state.registration.organization}</dd></div>}
            {state.registration.accessibility_needs && <div><dt>{o.accessibility}</dt><dd style={{ whiteSpace: 'pre-line' }}>{state.registration.accessibility_needs}</dd></div>}
            <div><dt>{o.mode}</dt><dd>{o.modeNames[state.registration.mode] ?? state.registration.mode}</dd></div>
            <div><dt>{o.status}</dt><dd data-testid="manage-status-value">{o.statusNames[state.registration.status] ?? state.registration.status}</dd></div>
            {state.registration.created_at && <div><dt>{o.created}</dt><dd>{formatInstant(state.registration.created_at, locale, zone)}</dd></div>}
          </dl>
          <div class="form-actions">
            <button type="button" class="button button--secondary" onClick={() => download(state.raw)} data-testid="manage-download">{o.downloadData}</button>
            {state.registration.status !== 'cancelled' && (
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => act('cancel')} data-testid="manage-cancel">{o.cancelRegistration}</button>
            )}
            <button type="button" class="button button--danger" disabled={busy} onClick={() => act('delete')} data-testid="manage-delete">{o.deleteData}</button>
          </div>
        </>
      )}
      <p><a href={eventHref(event)}>{o.toEventPage}</a></p>
    </section>
  );
}
