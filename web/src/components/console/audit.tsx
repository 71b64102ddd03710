// The console's Audit log tab: who changed what and when, newest first, and the CSV download.
import type { ConferenceEvent } from '../../api';
import type { Messages } from '../../i18n';
import { auditCsvUrl, listAudit, type AuditEntry } from '../../org-api';
import { formatInstant, LoadState, useLoad } from './common';

export function AuditTab({ event, locale, t }: { event: ConferenceEvent; locale: string; t: Messages }) {
  const o = t.org;
  const [entries, reload] = useLoad((signal) => listAudit(event.id, signal), [event.id]);
  return (
    <section class="console-section" aria-labelledby="audit-heading">
      <div class="console-section-head">
        <h2 id="audit-heading">{o.audit}</h2>
        <a class="button button--secondary button--small" href={auditCsvUrl(event.id)} download>{o.downloadAudit}</a>
      </div>
      <LoadState state={entries} t={t} retry={reload}>
        {(list: AuditEntry[]) =>
          list.length === 0 ? (
            <p class="empty">{o.noAudit}</p>
          ) : (
            <div class="table-wrap" tabIndex={0}>
              <table class="console-table" data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">{o.when}</th>
                    <th scope="col">{o.who}</th>
                    <th scope="col">{o.what}</th>
                    <th scope="col">{o.target}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((e, i) => (
                    <tr key={i} data-testid="audit-row">
                      <td class="nowrap">{formatInstant(e.at_ms, locale, event.timezone)}</td>
                      <td>{e.actor_name || e.actor}</td>
                      <th scope="row"><code>{e.action}</code>{e.detail && <span class="console-sub">{e.detail}</span>}</th>
                      <td>{e.target}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadState>
    </section>
  );
}
