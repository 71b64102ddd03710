// Polls: create (one or several choices, 2–10 options, results live or hidden until revealed),
// then open, close, reveal or hide the results, archive; each with its live results.
import { useRef, useState } from 'preact/hooks';
import { shares, staffPolls, type P, type QaState } from '../qa/state';
import { Status, useAct } from './common';
import type { ModMessages } from './i18n';
import type { RoomFeed } from './use-room';

const MAX_OPTIONS = 10;

export function Polls({ feed, qa, m }: { feed: RoomFeed; qa: QaState; m: ModMessages }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { busy, outcome, act } = useAct(feed, m, heading);
  const polls = staffPolls(qa);
  return (
    <section class="mod-card" aria-labelledby="mod-polls-heading" data-testid="mod-polls">
      <h2 id="mod-polls-heading" tabIndex={-1} ref={heading}>{m.sections.polls}</h2>
      {polls.length === 0 ? (
        <p class="mod-empty">{m.noPolls}</p>
      ) : (
        <ul class="mod-polls">
          {polls.map((p) => (
            <li key={p.id}>
              <PollItem p={p} busy={busy} m={m} act={(action) => act({ type: 'poll', poll: p.id, action })} />
            </li>
          ))}
        </ul>
      )}
      <Status outcome={outcome} testid="mod-polls-status" />
      <NewPoll busy={busy} m={m} create={(body) => act({ type: 'poll_create', ...body })} />
    </section>
  );
}

function PollItem({ p, busy, m, act }: { p: P; busy: boolean; m: ModMessages; act: (action: string) => void }) {
  const share = shares(p);
  const actions: (keyof ModMessages['pollActions'])[] = [];
  if (p.state === 'draft') actions.push('open', 'archive');
  if (p.state === 'open') actions.push('close');
  if (p.state !== 'draft' && p.results === 'hidden') actions.push('reveal');
  if (p.state !== 'draft' && p.results === 'revealed') actions.push('hide');
  if (p.state === 'closed') actions.push('archive');
  return (
    <article class="mod-poll" data-testid="mod-poll" data-poll-id={p.id} data-state={p.state} aria-labelledby={`poll-${p.id}`}>
      <p class="mod-poll-head">
        <span class="mod-poll-text" id={`poll-${p.id}`}>{p.text}</span>
        <span class={`mod-badge mod-badge--${p.state}`}>{m.pollState[p.state]}</span>
        {p.results === 'hidden' && <span class="mod-badge">{m.resultsHidden}</span>}
      </p>
      <ul class="mod-bars">
        {p.options.map((o, i) => (
          <li key={i} class="mod-bar">
            <span class="mod-bar-text">{o.text}</span>
            <span class="mod-bar-count">{o.votes ?? '–'}</span>
            <span class="mod-bar-track" aria-hidden="true">
              <span class="mod-bar-fill" style={{ width: `${Math.round((share[i] ?? 0) * 100)}%` }} />
            </span>
          </li>
        ))}
      </ul>
      {p.voters !== null && <p class="mod-dim">{m.voters(p.voters)}</p>}
      <div class="mod-actions">
        {actions.map((a) => (
          <button key={a} type="button" class={`button button--small${a === 'open' ? '' : ' button--secondary'}`} disabled={busy} onClick={() => act(a)} data-testid={`mod-poll-${a}`}>
            {m.pollActions[a]}
          </button>
        ))}
      </div>
    </article>
  );
}

function NewPoll({ busy, m, create }: { busy: boolean; m: ModMessages; create: (body: Record<string, unknown>) => Promise<Record<string, unknown> | null> }) {
  const [text, setText] = useState('');
  const [kind, setKind] = useState<'single' | 'multiple'>('single');
  const [options, setOptions] = useState<string[]>(['', '']);
  const [hidden, setHidden] = useState(false);
  const setOption = (i: number, v: string) => setOptions(options.map((o, j) => (j === i ? v : o)));
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await create({ text: text.trim(), kind, options: options.map((o) => o.trim()).filter(Boolean), results: hidden ? 'hidden' : 'live' });
    if (r) {
      setText('');
      setOptions(['', '']);
      setHidden(false);
    }
  };
  return (
    <form class="mod-new-poll" onSubmit={submit} aria-labelledby="mod-new-poll-heading" data-testid="mod-new-poll">
      <h3 id="mod-new-poll-heading" class="mod-label">{m.newPoll}</h3>
      <div class="field">
        <label for="poll-text">{m.pollQuestion}</label>
        <input id="poll-text" value={text} maxLength={300} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} data-testid="mod-poll-text" />
      </div>
      <fieldset class="mod-fieldset">
        <legend>{m.pollKind}</legend>
        {(['single', 'multiple'] as const).map((k) => (
          <label key={k} class="mod-check">
            <input type="radio" name="poll-kind" value={k} checked={kind === k} onChange={() => setKind(k)} data-testid={`mod-poll-kind-${k}`} />
            {k === 'single' ? m.single : m.multiple}
          </label>
        ))}
      </fieldset>
      {options.map((o, i) => (
        <div class="field mod-option" key={i}>
          <label for={`poll-option-${i}`}>{m.option(i + 1)}</label>
          <div class="mod-option-row">
            <input id={`poll-option-${i}`} value={o} maxLength={200} onInput={(e) => setOption(i, (e.currentTarget as HTMLInputElement).value)} data-testid="mod-poll-option" />
            {options.length > 2 && (
              <button type="button" class="button button--secondary button--small" aria-label={m.removeOption(i + 1)} onClick={() => setOptions(options.filter((_, j) => j !== i))}>
                ✕
              </button>
            )}
          </div>
        </div>
      ))}
      {options.length < MAX_OPTIONS && (
        <button type="button" class="button button--secondary button--small" onClick={() => setOptions([...options, ''])} data-testid="mod-poll-add-option">
          {m.addOption}
        </button>
      )}
      <label class="mod-check">
        <input type="checkbox" checked={hidden} onChange={(e) => setHidden((e.currentTarget as HTMLInputElement).checked)} data-testid="mod-poll-hidden" />
        {m.hiddenResults}
      </label>
      <button type="submit" class="button" disabled={busy || !text.trim() || options.filter((o) => o.trim()).length < 2} data-testid="mod-poll-create">
        {m.createPoll}
      </button>
    </form>
  );
}
