// The projector and the records: kiosk links for this room (create, copy, revoke), the hall's QR
// code, the exports (JSON, CSV) and the moderation log; for organizers, whether moderators see
// the names of anonymous askers.
import { useEffect, useState } from 'preact/hooks';
import { formatTime, Status, type Outcome } from './common';
import { createKioskLink, download, getNamesToModerators, listKioskLinks, putNamesToModerators, qrUrl, revokeKioskLink, type ExportKind, type KioskLink } from './http';
import type { ModMessages } from './i18n';

interface Props {
  event: string;
  room: string;
  /** The moderator token, or null for the staff session's cookie. */
  token: string | null;
  organizer: boolean;
  m: ModMessages;
  locale: string;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function ProjectorAdmin({ event, room, token, organizer, m, locale }: Props) {
  const [links, setLinks] = useState<KioskLink[] | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const [names, setNames] = useState<boolean | null>(null);
  const reload = () =>
    listKioskLinks(token, event).then(
      (all) => setLinks(all.filter((l) => l.room === room)),
      (e: unknown) => {
        setLinks([]);
        setOutcome({ ok: false, text: m.failed(why(e)) });
      },
    );
  useEffect(() => {
    void reload();
    if (organizer) getNamesToModerators(token, event).then(setNames, () => setNames(null));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [event, room, token, organizer]);
  const run = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setOutcome(null);
    try {
      await what();
    } catch (e) {
      setOutcome({ ok: false, text: m.failed(why(e)) });
    } finally {
      setBusy(false);
    }
  };
  const copy = async (l: KioskLink) => {
    try {
      await navigator.clipboard.writeText(l.url);
      setCopied(l.id);
    } catch {
      // no clipboard (an insecure origin): the URL is on screen to copy by hand
    }
  };
  const exports: [ExportKind, string][] = [
    ['json', m.exportJson],
    ['questions', m.exportQuestions],
    ['chat', m.exportChat],
    ['polls', m.exportPolls],
    ['log', m.moderationLog],
  ];
  return (
    <div class="mod-projector-admin">
      <section class="mod-card" aria-labelledby="mod-kiosk-heading" data-testid="mod-kiosk">
        <h2 id="mod-kiosk-heading">{m.kioskTitle}</h2>
        <p class="mod-dim">{m.kioskHint}</p>
        <button
          type="button"
          class="button button--small"
          disabled={busy}
          onClick={() => void run(async () => { await createKioskLink(token, event, room); await reload(); })}
          data-testid="mod-kiosk-create"
        >
          {m.createKiosk}
        </button>
        {links !== null && links.length === 0 && <p class="mod-empty">{m.noKiosks}</p>}
        {links !== null && links.length > 0 && (
          <ul class="mod-kiosks" data-testid="mod-kiosk-list">
            {links.map((l) => (
              <li key={l.id} data-testid="mod-kiosk-link" data-kiosk-id={l.id} class={l.revoked ? 'mod-kiosk--revoked' : ''}>
                <code class="mod-url">{l.url}</code>
                <span class="mod-dim">{l.revoked ? `${m.revoked} ${formatTime(l.revoked, locale)}` : m.created(formatTime(l.created, locale))}</span>
                {!l.revoked && (
                  <span class="mod-actions">
                    <button type="button" class="button button--secondary button--small" onClick={() => void copy(l)}>{copied === l.id ? m.copied : m.copy}</button>
                    <button type="button" class="button button--danger button--small" disabled={busy} onClick={() => void run(async () => { await revokeKioskLink(token, event, l.id); await reload(); })} data-testid="mod-kiosk-revoke">
                      {m.revoke}
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
        <Status outcome={outcome} testid="mod-kiosk-status" />
      </section>
      <section class="mod-card mod-qr-card" aria-labelledby="mod-qr-heading">
        <h2 id="mod-qr-heading">{m.qrTitle}</h2>
        <img class="mod-qr" src={qrUrl(event, room)} alt={m.projector.qrAlt} width={160} height={160} />
      </section>
      <section class="mod-card" aria-labelledby="mod-export-heading" data-testid="mod-export">
        <h2 id="mod-export-heading">{m.exportTitle}</h2>
        <p class="mod-dim">{m.exportHint}</p>
        <div class="mod-actions">
          {exports.map(([kind, label]) => (
            <button key={kind} type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void run(() => download(token, event, room, kind))} data-testid={`mod-export-${kind}`}>
              {label}
            </button>
          ))}
        </div>
        {organizer && names !== null && (
          <label class="mod-check">
            <input
              type="checkbox"
              checked={names}
              disabled={busy}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                void run(async () => { await putNamesToModerators(token, event, on); setNames(on); });
              }}
              data-testid="mod-names-to-moderators"
            />
            {m.namesToModerators}
          </label>
        )}
      </section>
    </div>
  );
}
