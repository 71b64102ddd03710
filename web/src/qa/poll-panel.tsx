// The attendee's polls of one room: open ones first (single choice as radio buttons, multiple as
// check boxes; the vote can be changed or taken back while the poll is open), then closed ones,
// with result bars whenever this view has the counts (live or revealed results).
import { useEffect, useState } from 'preact/hooks';
import type { Messages } from '../i18n';
import { chatErrorText } from '../components/chat-errors';
import type { ChatClient, ChatError } from '../ws';
import { resultsVisible, shares, visiblePolls, type P } from './state';

interface Props {
  client: ChatClient;
  refId: string;
  roomName: string;
  t: Messages;
}

export function PollPanel({ client, refId, roomName, t }: Props) {
  const state = client.qa.get(refId);
  const polls = state ? visiblePolls(state) : [];
  const kiosk = client.user?.id.startsWith('kiosk-') ?? false;
  return (
    <section class="polls" data-testid="poll-panel" data-ready={state ? 'true' : 'false'} aria-labelledby="polls-heading">
      <h3 class="qa-heading" id="polls-heading">
        {t.qa.pollsIn(roomName)}
      </h3>
      {!state ? (
        <p class="qa-note">{t.qa.loading}</p>
      ) : polls.length === 0 ? (
        <p class="qa-note" data-testid="polls-empty">
          {t.qa.noPolls}
        </p>
      ) : (
        polls.map((p) => (
          <PollCard key={p.id} poll={p} mine={state.myPollVotes[p.id] ?? []} client={client} refId={refId} t={t} readOnly={kiosk} />
        ))
      )}
    </section>
  );
}

interface CardProps {
  poll: P;
  mine: number[];
  client: ChatClient;
  refId: string;
  t: Messages;
  readOnly: boolean;
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function PollCard({ poll: p, mine, client, refId, t, readOnly }: CardProps) {
  const q = t.qa;
  const [choice, setChoice] = useState<number[]>(mine);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mineKey = mine.join(',');
  // The vote from the server (another tab, a reconnect) replaces an untouched selection.
  useEffect(() => setChoice(mine), [mineKey]);
  const open = p.state === 'open' && !readOnly;
  const voted = mine.length > 0;
  const changed = !same([...choice].sort((a, b) => a - b), [...mine].sort((a, b) => a - b));
  const showResults = resultsVisible(p);
  const share = shares(p);

  const send = (choices: number[]) => {
    setBusy(true);
    setError(null);
    client
      .pollVote(refId, p.id, choices)
      .catch((e: unknown) => setError((e as ChatError).code === 'unavailable' ? t.qa.unavailable : chatErrorText(t, e as ChatError)))
      .finally(() => setBusy(false));
  };
  const toggle = (i: number, on: boolean) => {
    if (p.kind === 'single') setChoice(on ? [i] : []);
    else setChoice((c) => (on ? [...c.filter((x) => x !== i), i].sort((a, b) => a - b) : c.filter((x) => x !== i)));
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (!busy && choice.length > 0 && changed) send(choice);
  };
  const id = `poll-${p.id}`;

  return (
    <form class={`poll poll--${p.state}`} onSubmit={submit} data-testid="poll" data-poll-id={p.id} data-state={p.state}>
      <fieldset disabled={!open || busy} aria-describedby={`${id}-hint`}>
        <legend class="poll-question" dir="auto">
          {p.text}
        </legend>
        <p id={`${id}-hint`} class="qa-hint">
          {p.state === 'open' ? (p.kind === 'single' ? q.pollSingle : q.pollMultiple) : q.pollClosed}
        </p>
        <ul class="poll-options">
          {p.options.map((o, i) => {
            const on = choice.includes(i);
            const pct = Math.round(share[i]! * 100);
            return (
              <li key={i} class={on ? 'poll-option poll-option--on' : 'poll-option'}>
                <label data-testid="poll-option" data-index={i} data-checked={on ? 'true' : 'false'}>
                  <input
                    type={p.kind === 'single' ? 'radio' : 'checkbox'}
                    name={id}
                    value={i}
                    checked={on}
                    onChange={(e) => toggle(i, (e.target as HTMLInputElement).checked)}
                  />
                  <span class="poll-option-text" dir="auto">
                    {o.text}
                  </span>
                  {showResults && (
                    <span class="poll-option-pct" data-testid="poll-pct" aria-hidden="true">
                      {pct} %
                    </span>
                  )}
                </label>
                {showResults && (
                  <span class="poll-bar" aria-hidden="true">
                    <span class="poll-bar-fill" style={{ width: `${pct}%` }} />
                  </span>
                )}
                {showResults && <span class="visually-hidden">{q.pollOptionResult(o.text, pct, o.votes ?? 0)}</span>}
              </li>
            );
          })}
        </ul>
      </fieldset>
      <div class="poll-foot">
        {showResults && p.voters !== null && (
          <span class="poll-voters" data-testid="poll-voters" data-count={p.voters}>
            {q.pollVoters(p.voters)}
          </span>
        )}
        {!showResults && <span class="poll-voters">{q.pollResultsHidden}</span>}
        {open && (
          <span class="poll-actions">
            {voted && (
              <button type="button" class="link-button" disabled={busy} onClick={() => send([])} data-testid="poll-withdraw">
                {q.pollWithdraw}
              </button>
            )}
            <button type="submit" class="button" disabled={busy || choice.length === 0 || !changed} data-testid="poll-submit">
              {voted ? q.pollChange : q.pollVote}
            </button>
          </span>
        )}
      </div>
      <p class="poll-status" role="status" data-testid="poll-status">
        {open && voted && !changed ? q.pollVoted : ''}
      </p>
      {error && (
        <p class="form-error" role="alert" data-testid="poll-error">
          {error}
        </p>
      )}
    </form>
  );
}
