// The console's E-mail tab: the event's outbox, newest first (state, recipient, subject,
// attempts and the last SMTP error); a message opens to its plain text.
import { useState } from 'preact/hooks';
import type { ConferenceEvent } from '../../api';
import type { Messages } from '../../i18n';
import { listOutbox, type OutboxMessage } from '../../org-api';
import { formatInstant, LoadState, useLoad } from './common';

export function OutboxTab({ event, locale, t }: { event: ConferenceEvent; locale: string; t: Messages }) {
  const o = t.org;
  const [mail, reload] = useLoad((signal) => listOutbox(event.id, signal), [event.id]);
  const [open, setOpen] = useState<OutboxMessage | null>(null);
  return (
    <section class="console-section" aria-labelledby="outbox-heading">
      <div class="console-section-head">
        <h2 id="outbox-heading">{o.outbox}</h2>
        <button type="button" class="button button--secondary button--small" onClick={reload} data-testid="outbox-refresh">{t.refresh}</button>
      </div>
      <p class="console-note">{o.outboxIntro}</p>
      <LoadState state={mail} t={t} retry={reload}>
        {(list: OutboxMessage[]) =>
          list.length === 0 ? (
            <p class="empty">{o.noMail}</p>
          ) : (
            <div class="table-wrap" tabIndex={0}>
              <table class="console-table" data-testid="outbox-table">
                <thead>
                  <tr>
                    <th scope="col">{o.status}</th>
                    <th scope="col">{o.to}</th>
                    <th scope="col">{o.subject}</th>
                    <th scope="col">{o.created}</th>
                    <th scope="col">{o.actions}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((m) => (
                    <tr key={m.id} data-testid="outbox-row" data-kind={m.kind}>
                      <td>
                        <span class={`mail-state mail-state--${m.state}`}>{o.mailStates[m.state] ?? m.state}</span>
                        {m.attempts > 0 && <span class="console-sub">{o.attempts(m.attempts)}</span>}
                      </td>
                      <td>{m.to_name ? `${m.to_name} <${m.to}>` : m.to}</td>
                      <th scope="row" lang={m.language || undefined}>{m.subject}</th>
                      <td class="nowrap">{formatInstant(m.created_at, locale, event.timezone, typeof m.created_at === 'number')}</td>
                      <td>
                        <button type="button" class="button button--secondary button--small" aria-label={`${o.readMessage}: ${m.subject}`} aria-expanded={open?.id === m.id} onClick={() => setOpen(open?.id === m.id ? null : m)} data-testid="outbox-open">
                          {o.readMessage}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadState>
      {open && (
        <article class="mail console-card" aria-labelledby="mail-subject" data-testid="outbox-message">
          <h3 id="mail-subject" lang={open.language || undefined}>{open.subject}</h3>
          <p class="console-sub">{o.to}: {open.to}</p>
          {open.last_error && <p class="form-error">{o.lastError}: {open.last_error}</p>}
          <pre class="mail-text" lang={open.language || undefined} data-testid="outbox-text">{open.text}</pre>
          <button type="button" class="button button--secondary button--small" onClick={() => setOpen(null)}>{o.close}</button>
        </article>
      )}
    </section>
  );
}
