// Chat moderation: the room's messages with delete (a reason for the log), mute for a time and
// ban (confirmed, with a reason); messages held by the word list with release and delete; slow
// mode, lock and unlock, the event's word list; who is muted and banned, with unmute and unban.
import { useRef, useState } from 'preact/hooks';
import type { QaState, RawMessage } from '../qa/state';
import { canModerate, type ChatMessage, type Role } from '../ws';
import { formatTime, Status, useAct } from './common';
import type { ModMessages } from './i18n';
import type { RoomFeed } from './use-room';

const MUTE_MINUTES = [5, 15, 60] as const;
const SHOWN = 60;

type Act = (body: Record<string, unknown>) => Promise<Record<string, unknown> | null>;
type Msg = ChatMessage | RawMessage;

export function ChatModeration({ feed, qa, m, locale }: { feed: RoomFeed; qa: QaState; m: ModMessages; locale: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { busy, outcome, act } = useAct(feed, m, heading);
  const room = feed.client.rooms.get(feed.ref);
  const messages = room?.messages ?? [];
  const mod = qa.moderation;
  const heldBySeq = new Map<number, Msg>();
  for (const h of mod?.held ?? []) heldBySeq.set(h.seq, h);
  for (const x of messages) if (x.held) heldBySeq.set(x.seq, x);
  for (const s of qa.deletedSeqs) heldBySeq.delete(s);
  for (const r of qa.released) heldBySeq.delete(r.seq);
  const held = [...heldBySeq.values()].sort((a, b) => a.seq - b.seq);
  const recent = messages.filter((x) => !qa.deletedSeqs.has(x.seq)).slice(-SHOWN).reverse();
  const me = feed.client.user?.id ?? null;
  const moderate = (body: Record<string, unknown>) => act({ type: 'moderate', ...body });

  return (
    <div class="mod-chat">
      <Status outcome={outcome} testid="mod-chat-status" />
      <section class="mod-card" aria-labelledby="mod-held-heading" data-testid="mod-held">
        <h2 id="mod-held-heading">{m.held} <span class="mod-count">{held.length}</span></h2>
        {held.length === 0 ? (
          <p class="mod-empty">{m.noHeld}</p>
        ) : (
          <ul class="mod-messages">
            {held.map((x) => (
              <li key={x.seq}>
                <MessageItem msg={x} held me={me} busy={busy} m={m} locale={locale} moderate={moderate} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="mod-card" aria-labelledby="mod-messages-heading" data-testid="mod-chat">
        <h2 id="mod-messages-heading" tabIndex={-1} ref={heading}>{m.sections.chat}</h2>
        {recent.length === 0 ? (
          <p class="mod-empty">{m.noMessages}</p>
        ) : (
          <ul class="mod-messages">
            {recent.map((x) => (
              <li key={x.seq}>
                <MessageItem msg={x} held={x.held === true} me={me} busy={busy} m={m} locale={locale} moderate={moderate} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <People qa={qa} busy={busy} m={m} locale={locale} moderate={moderate} />
      <section class="mod-card" aria-labelledby="mod-chat-settings-heading" data-testid="mod-chat-settings">
        <h2 id="mod-chat-settings-heading">{m.chatSettings}</h2>
        <ChatSettings
          qa={qa}
          busy={busy}
          m={m}
          moderate={moderate}
          onWords={(words) => feed.client.updateQa(feed.ref, (s) => (s.moderation ? { ...s, moderation: { ...s.moderation, words } } : s))}
        />
      </section>
    </div>
  );
}

function ChatSettings({ qa, busy, m, moderate, onWords }: { qa: QaState; busy: boolean; m: ModMessages; moderate: Act; onWords: (words: string[]) => void }) {
  const [seconds, setSeconds] = useState(String(qa.settings.slow_mode_seconds));
  const [words, setWords] = useState<string | null>(null);
  const current = (qa.moderation?.words ?? []).join('\n');
  return (
    <div class="mod-settings">
      <div class="mod-row">
        {qa.settings.locked && <span class="mod-badge mod-badge--locked" data-testid="mod-locked-state">{m.locked}</span>}
        <button
          type="button"
          class={`button button--small${qa.settings.locked ? '' : ' button--danger'}`}
          disabled={busy}
          onClick={() => void moderate({ action: qa.settings.locked ? 'unlock' : 'lock' })}
          data-testid="mod-lock"
        >
          {qa.settings.locked ? m.unlock : m.lock}
        </button>
      </div>
      <form
        class="mod-row"
        onSubmit={(e) => {
          e.preventDefault();
          void moderate({ action: 'slow_mode', seconds: Math.max(0, Math.min(3600, Math.round(Number(seconds) || 0))) });
        }}
      >
        <div class="field">
          <label for="mod-slow">{m.slowMode}</label>
          <input id="mod-slow" type="number" min={0} max={3600} inputMode="numeric" value={seconds} onInput={(e) => setSeconds((e.currentTarget as HTMLInputElement).value)} data-testid="mod-slow-mode" />
        </div>
        <button type="submit" class="button button--secondary button--small" disabled={busy} data-testid="mod-slow-mode-set">{m.setSlowMode}</button>
      </form>
      <form
        class="mod-words"
        onSubmit={async (e) => {
          e.preventDefault();
          const list = [...new Set((words ?? current).split(/\n|,/).map((w) => w.trim()).filter(Boolean))];
          if (await moderate({ action: 'words', words: list })) {
            // The list as saved, at once (the staff's `moderation` event says the same).
            onWords(list);
            setWords(null);
          }
        }}
      >
        <div class="field">
          <label for="mod-words">{m.words}</label>
          <textarea id="mod-words" rows={4} value={words ?? current} onInput={(e) => setWords((e.currentTarget as HTMLTextAreaElement).value)} data-testid="mod-words" />
        </div>
        <button type="submit" class="button button--secondary button--small" disabled={busy} data-testid="mod-words-save">{m.saveWords}</button>
      </form>
    </div>
  );
}

interface ItemProps {
  msg: Msg;
  held: boolean;
  me: string | null;
  busy: boolean;
  m: ModMessages;
  locale: string;
  moderate: Act;
}

function MessageItem({ msg, held, me, busy, m, locale, moderate }: ItemProps) {
  const [mode, setMode] = useState<'view' | 'delete' | 'mute' | 'ban'>('view');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number>(15);
  const id = `msg-${msg.seq}`;
  const staffAuthor = canModerate(msg.user.role as Role) || msg.user.id === me;
  const run = async (body: Record<string, unknown>) => {
    if (await moderate(body)) {
      setMode('view');
      setReason('');
    }
  };
  const withReason = (body: Record<string, unknown>) => (reason.trim() ? { ...body, reason: reason.trim() } : body);
  return (
    <article class={`mod-msg${held ? ' mod-msg--held' : ''}`} data-testid="mod-message" data-seq={msg.seq} aria-labelledby={`${id}-who`}>
      <p class="mod-msg-head">
        <span class="mod-msg-who" id={`${id}-who`}>{msg.user.name}{msg.user.id === me ? ` (${m.you})` : ''}</span>
        <time class="mod-dim">{formatTime(msg.ts, locale)}</time>
        {held && <span class="mod-badge mod-badge--held">{m.held}</span>}
      </p>
      <p class="mod-msg-text">{msg.text}</p>
      {mode === 'view' && (
        <div class="mod-actions">
          {held && (
            <button type="button" class="button button--small" disabled={busy} onClick={() => void run({ action: 'release_message', seq: msg.seq })} data-testid="mod-release">{m.release}</button>
          )}
          <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => setMode('delete')} data-testid="mod-chat-delete">{m.delete}</button>
          {!staffAuthor && (
            <>
              <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => setMode('mute')} data-testid="mod-mute">{m.mute}</button>
              <button type="button" class="button button--danger button--small" disabled={busy} onClick={() => setMode('ban')} data-testid="mod-ban">{m.ban}</button>
            </>
          )}
        </div>
      )}
      {mode === 'delete' && (
        <form class="mod-inline" onSubmit={(e) => { e.preventDefault(); void run(withReason({ action: 'delete_message', seq: msg.seq })); }}>
          <label for={`${id}-reason`}>{m.deleteReason}</label>
          <input id={`${id}-reason`} value={reason} maxLength={300} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} data-testid="mod-delete-reason" />
          <div class="mod-actions">
            <button type="submit" class="button button--danger button--small" disabled={busy} data-testid="mod-delete-confirm">{m.delete}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('view')}>{m.actions.cancel}</button>
          </div>
        </form>
      )}
      {mode === 'mute' && (
        <form class="mod-inline" onSubmit={(e) => { e.preventDefault(); void run(withReason({ action: 'mute', user: msg.user.id, name: msg.user.name, seconds: minutes * 60 })); }}>
          <fieldset class="mod-fieldset">
            <legend>{m.muteFor}</legend>
            {MUTE_MINUTES.map((n) => (
              <label key={n} class="mod-check">
                <input type="radio" name={`${id}-minutes`} checked={minutes === n} onChange={() => setMinutes(n)} data-testid={`mod-mute-${n}`} />
                {m.minutes(n)}
              </label>
            ))}
          </fieldset>
          <label for={`${id}-mute-reason`}>{m.banReason}</label>
          <input id={`${id}-mute-reason`} value={reason} maxLength={300} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
          <div class="mod-actions">
            <button type="submit" class="button button--small" disabled={busy} data-testid="mod-mute-confirm">{m.mute}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('view')}>{m.actions.cancel}</button>
          </div>
        </form>
      )}
      {mode === 'ban' && (
        <form class="mod-inline" onSubmit={(e) => { e.preventDefault(); void run(withReason({ action: 'ban', user: msg.user.id, name: msg.user.name })); }}>
          <p class="mod-warning">{m.banConfirm(msg.user.name)}</p>
          <label for={`${id}-ban-reason`}>{m.banReason}</label>
          <input id={`${id}-ban-reason`} value={reason} maxLength={300} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} data-testid="mod-ban-reason" />
          <div class="mod-actions">
            <button type="submit" class="button button--danger button--small" disabled={busy} data-testid="mod-ban-confirm">{m.confirm}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('view')}>{m.actions.cancel}</button>
          </div>
        </form>
      )}
    </article>
  );
}

function People({ qa, busy, m, locale, moderate }: { qa: QaState; busy: boolean; m: ModMessages; locale: string; moderate: Act }) {
  const now = Date.now();
  const muted = (qa.moderation?.muted ?? []).filter((x) => x.until === null || x.until > now);
  const banned = qa.moderation?.banned ?? [];
  return (
    <section class="mod-card mod-people" aria-label={`${m.muted}, ${m.banned}`}>
      <div>
        <h2 id="mod-muted-heading">{m.muted}</h2>
        {muted.length === 0 ? (
          <p class="mod-empty" data-testid="mod-muted-list">{m.noMuted}</p>
        ) : (
          <ul class="mod-people-list" aria-labelledby="mod-muted-heading" data-testid="mod-muted-list">
            {muted.map((x) => (
              <li key={x.user.id} data-user-id={x.user.id}>
                <span>
                  <strong>{x.user.name}</strong> {x.until !== null && <span class="mod-dim">{m.until(formatTime(x.until, locale))}</span>}
                  {x.reason && <span class="mod-dim"> · {x.reason}</span>}
                </span>
                <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void moderate({ action: 'unmute', user: x.user.id })} data-testid="mod-unmute">{m.unmute}</button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <h2 id="mod-banned-heading">{m.banned}</h2>
        {banned.length === 0 ? (
          <p class="mod-empty" data-testid="mod-banned-list">{m.noBanned}</p>
        ) : (
          <ul class="mod-people-list" aria-labelledby="mod-banned-heading" data-testid="mod-banned-list">
            {banned.map((x) => (
              <li key={x.user.id} data-user-id={x.user.id}>
                <span>
                  <strong>{x.user.name}</strong>
                  {x.reason && <span class="mod-dim"> · {x.reason}</span>}
                </span>
                <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void moderate({ action: 'unban', user: x.user.id })} data-testid="mod-unban">{m.unban}</button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
