// The question queue: Pending / Live (by votes or time) / Answered / Archived and rejected, the
// pinned "now answering" on top, per question approve, reject (with a reason for the asker),
// edit, merge into another, pin, answered, archive, restore; the press lane filter, the
// pre-moderation switch and the form for a question heard in the hall.
import { useMemo, useRef, useState } from 'preact/hooks';
import { compareQuestions, pinnedQuestion, type Q, type QaState, type QuestionOrder } from '../qa/state';
import { uuid } from '../ws';
import { formatTime, Status, useAct } from './common';
import type { ModMessages } from './i18n';
import type { RoomFeed } from './use-room';

type QueueTab = 'pending' | 'live' | 'answered' | 'closed';
const TABS: QueueTab[] = ['pending', 'live', 'answered', 'closed'];

function inTab(q: Q, tab: QueueTab): boolean {
  switch (tab) {
    case 'pending':
      return q.status === 'pending';
    case 'live':
      return q.status === 'approved' && !q.pinned; // the pinned one is shown above the tabs
    case 'answered':
      return q.status === 'answered';
    case 'closed':
      return q.status === 'rejected' || q.status === 'archived' || q.status === 'merged';
  }
}

interface Props {
  feed: RoomFeed;
  qa: QaState;
  m: ModMessages;
  locale: string;
}

export function Queue({ feed, qa, m, locale }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { busy, outcome, act } = useAct(feed, m, heading);
  // Pending first when something waits for review; else what is live.
  const [tab, setTab] = useState<QueueTab>(() => (Object.values(qa.questions).some((q) => q.status === 'pending') ? 'pending' : 'live'));
  const [order, setOrder] = useState<QuestionOrder>('votes');
  const [pressOnly, setPressOnly] = useState(false);
  const all = useMemo(() => Object.values(qa.questions).filter((q) => !pressOnly || q.press), [qa.questions, pressOnly]);
  const pinned = pinnedQuestion(qa);
  const counts = Object.fromEntries(TABS.map((k) => [k, all.filter((q) => inTab(q, k)).length])) as Record<QueueTab, number>;
  const shown = all
    .filter((q) => inTab(q, tab))
    .sort(tab === 'pending' ? (a, b) => a.created - b.created : tab === 'live' ? compareQuestions(order) : (a, b) => b.updated - a.updated);
  const targets = Object.values(qa.questions).filter((q) => q.status === 'approved' || q.status === 'answered' || q.status === 'pending');

  return (
    <section class="mod-card mod-queue" aria-labelledby="mod-queue-heading" data-testid="mod-queue">
      <div class="mod-card-head">
        <h2 id="mod-queue-heading" tabIndex={-1} ref={heading}>{m.sections.questions}</h2>
        <div class="mod-switches">
          <label class="mod-check">
            <input
              type="checkbox"
              checked={qa.settings.premoderated}
              disabled={busy}
              onChange={(e) => void act({ type: 'moderate', action: 'premoderation', on: (e.currentTarget as HTMLInputElement).checked })}
              data-testid="mod-premoderation"
            />
            {m.premoderation}
          </label>
          <label class="mod-check">
            <input type="checkbox" checked={pressOnly} onChange={(e) => setPressOnly((e.currentTarget as HTMLInputElement).checked)} data-testid="mod-press-filter" />
            {m.pressOnly}
          </label>
        </div>
      </div>
      <div class="mod-pinned" data-testid="mod-pinned">
        <h3 class="mod-label">{m.nowAnswering}</h3>
        {pinned ? (
          <QuestionItem q={pinned} targets={targets} act={act} busy={busy} m={m} locale={locale} />
        ) : (
          <p class="mod-empty">{m.nothingPinned}</p>
        )}
      </div>
      <div class="mod-subtabs" role="group" aria-label={m.queueTabsLabel}>
        {TABS.map((k) => (
          <button key={k} type="button" class="mod-subtab" aria-pressed={tab === k} onClick={() => setTab(k)} data-testid={`mod-tab-${k}`}>
            {m.queueTabs[k]} <span class="mod-count">{counts[k]}</span>
          </button>
        ))}
      </div>
      {tab === 'live' && (
        <div class="mod-order" role="group" aria-label={m.sortLabel}>
          {(['votes', 'time'] as const).map((o) => (
            <button key={o} type="button" class="mod-chip" aria-pressed={order === o} onClick={() => setOrder(o)}>
              {o === 'votes' ? m.sortVotes : m.sortTime}
            </button>
          ))}
        </div>
      )}
      {shown.length === 0 ? (
        <p class="mod-empty" data-testid="mod-queue-empty">{m.empty[tab]}</p>
      ) : (
        <ol class="mod-questions" data-testid="mod-questions">
          {shown.map((q) => (
            <li key={q.id}>
              <QuestionItem q={q} targets={targets} act={act} busy={busy} m={m} locale={locale} />
            </li>
          ))}
        </ol>
      )}
      <Status outcome={outcome} testid="mod-queue-status" />
      <HallForm act={act} busy={busy} m={m} max={qa.settings.question_max_chars} />
    </section>
  );
}

type Act = (body: Record<string, unknown>) => Promise<Record<string, unknown> | null>;

interface ItemProps {
  q: Q;
  targets: Q[];
  act: Act;
  busy: boolean;
  m: ModMessages;
  locale: string;
}

function QuestionItem({ q, targets, act, busy, m, locale }: ItemProps) {
  const [mode, setMode] = useState<'view' | 'reject' | 'edit' | 'merge'>('view');
  const [reason, setReason] = useState('');
  const [text, setText] = useState(q.text);
  const [into, setInto] = useState('');
  const id = `q-${q.id}`;
  const doAction = async (action: string, extra: Record<string, unknown> = {}) => {
    const r = await act({ type: 'question', question: q.id, action, ...extra });
    if (r) setMode('view');
  };
  const author = q.author ? q.author.name : q.source === 'hall' ? m.fromHall : m.anonymous;
  const open = q.status === 'approved' || q.status === 'pending';
  return (
    <article class={`mod-q${q.pinned ? ' mod-q--pinned' : ''}${q.press ? ' mod-q--press' : ''}`} data-testid="qa-item" data-qid={q.id} data-status={q.status} aria-labelledby={`${id}-text`}>
      <div class="mod-q-main">
        <p class="mod-q-text" id={`${id}-text`} data-testid="qa-text">{q.text}</p>
        <p class="mod-q-meta">
          <span class="mod-q-votes" data-testid="qa-votes">{m.votes(q.votes)}</span>
          <span>{author}</span>
          {q.anonymous && q.author && <span class="mod-badge">{m.anonymousHidden}</span>}
          {q.source === 'hall' && <span class="mod-badge mod-badge--hall">{m.fromHall}</span>}
          {q.press && <span class="mod-badge mod-badge--press">{m.press}</span>}
          {q.status !== 'approved' && <span class="mod-badge">{m.status[q.status]}</span>}
          {q.edited && <span class="mod-dim">({m.edited})</span>}
          {q.merged_from.length > 0 && <span class="mod-dim">{m.mergedFrom(q.merged_from.length)}</span>}
          <time class="mod-dim">{formatTime(q.created, locale)}</time>
        </p>
        {q.reason && <p class="mod-q-reason">{m.reasonLabel}: {q.reason}</p>}
      </div>
      {mode === 'view' && (
        <div class="mod-actions">
          {q.status === 'pending' && (
            <button type="button" class="button button--small" disabled={busy} onClick={() => void doAction('approve')} data-testid="mod-approve">{m.actions.approve}</button>
          )}
          {open && !q.pinned && (
            <button type="button" class="button button--small" disabled={busy} onClick={() => void doAction('pin')} data-testid="mod-pin">{m.actions.pin}</button>
          )}
          {q.pinned && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void doAction('unpin')} data-testid="mod-unpin">{m.actions.unpin}</button>
          )}
          {(q.status === 'approved' || q.pinned) && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void doAction('answered')} data-testid="mod-answered">{m.actions.answered}</button>
          )}
          {open && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => { setText(q.text); setMode('edit'); }} data-testid="mod-edit">{m.actions.edit}</button>
          )}
          {open && targets.some((t) => t.id !== q.id) && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => setMode('merge')} data-testid="mod-merge">{m.actions.merge}</button>
          )}
          {open && (
            <button type="button" class="button button--danger button--small" disabled={busy} onClick={() => setMode('reject')} data-testid="mod-reject">{m.actions.reject}</button>
          )}
          {(open || q.status === 'answered') && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void doAction('archive')} data-testid="mod-archive">{m.actions.archive}</button>
          )}
          {(q.status === 'rejected' || q.status === 'archived') && (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => void doAction('restore')} data-testid="mod-restore">{m.actions.restore}</button>
          )}
        </div>
      )}
      {mode === 'reject' && (
        <form class="mod-inline" onSubmit={(e) => { e.preventDefault(); void doAction('reject', reason.trim() ? { reason: reason.trim() } : {}); }}>
          <label for={`${id}-reason`}>{m.rejectReasonPrompt}</label>
          <input id={`${id}-reason`} value={reason} maxLength={300} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} data-testid="mod-reject-reason" />
          <div class="mod-actions">
            <button type="submit" class="button button--danger button--small" disabled={busy} data-testid="mod-reject-confirm">{m.actions.reject}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('view')}>{m.actions.cancel}</button>
          </div>
        </form>
      )}
      {mode === 'edit' && (
        <form class="mod-inline" onSubmit={(e) => { e.preventDefault(); void doAction('edit', { text }); }}>
          <label for={`${id}-edit`}>{m.editLabel}</label>
          <textarea id={`${id}-edit`} rows={3} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} data-testid="mod-edit-text" />
          <div class="mod-actions">
            <button type="submit" class="button button--small" disabled={busy} data-testid="mod-edit-save">{m.actions.save}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('view')}>{m.actions.cancel}</button>
          </div>
        </form>
      )}
      {mode === 'merge' && (
        <form class="mod-inline" onSubmit={(e) => { e.preventDefault(); if (into) void doAction('merge', { into }); }}>
          <label for={`${id}-into`}>{m.mergeInto}</label>
          <select id={`${id}-into`} value={into} onChange={(e) => setInto((e.currentTarget as HTMLSelectElement).value)} aria-describedby={`${id}-merge-hint`} data-testid="mod-merge-into">
            <option value="">{m.mergeChoose}</option>
            {targets.filter((t) => t.id !== q.id).map((t) => (
              <option key={t.id} value={t.id}>{`${t.text.length > 80 ? `${t.text.slice(0, 79)}…` : t.text} (${m.votes(t.votes)})`}</option>
            ))}
          </select>
          <span id={`${id}-merge-hint`} class="field-hint">{m.mergeHint}</span>
          <div class="mod-actions">
            <button type="submit" class="button button--small" disabled={busy || !into} data-testid="mod-merge-confirm">{m.actions.merge}</button>
            <button type="button" class="button button--secondary button--small" onClick={() => setMode('view')}>{m.actions.cancel}</button>
          </div>
        </form>
      )}
    </article>
  );
}

function HallForm({ act, busy, m, max }: { act: Act; busy: boolean; m: ModMessages; max: number }) {
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    const body: Record<string, unknown> = { type: 'ask', text, hall: true, client_msg_id: uuid() };
    if (name.trim()) body['name'] = name.trim();
    if (await act(body)) {
      setText('');
      setName('');
    }
  };
  return (
    <form class="mod-hall" onSubmit={submit} aria-labelledby="mod-hall-heading" data-testid="mod-hall-form">
      <h3 id="mod-hall-heading" class="mod-label">{m.hallTitle}</h3>
      <div class="field">
        <label for="mod-hall-text">{m.hallText}</label>
        <textarea id="mod-hall-text" rows={2} maxLength={max} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} data-testid="mod-hall-text" />
      </div>
      <div class="field">
        <label for="mod-hall-name">{m.hallName}</label>
        <input id="mod-hall-name" value={name} maxLength={80} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} data-testid="mod-hall-name" />
      </div>
      <button type="submit" class="button button--small" disabled={busy || !text.trim()} data-testid="mod-hall-submit">{m.hallSubmit}</button>
    </form>
  );
}
