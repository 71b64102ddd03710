// The attendee's Q&A of one room: ask (optionally anonymous toward the audience), the pinned
// "now answering" question on top, the open questions by votes or by time with a vote toggle,
// the answered ones below, and the asker's own pending or rejected questions with their state.
// The state is the room's QaState in the ChatClient (ws.ts, qa/state.ts); this only renders it
// and sends requests.
import { useRef, useState } from 'preact/hooks';
import type { Messages } from '../i18n';
import { chatErrorText } from '../components/chat-errors';
import { textLength, uuid, type ChatClient, type ChatError } from '../ws';
import { audienceQuestions, myUnpublished, pinnedQuestion, type Q, type QaState, type QuestionOrder } from './state';

interface Props {
  client: ChatClient;
  refId: string;
  roomName: string;
  t: Messages;
}

export function QaPanel({ client, refId, roomName, t }: Props) {
  const q = t.qa;
  const state = client.qa.get(refId);
  const [order, setOrder] = useState<QuestionOrder>('votes');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busyVote, setBusyVote] = useState<string | null>(null);

  const fail = (e: unknown) => setError(errorText(t, e, state?.settings.question_max_chars ?? 300));

  const vote = (question: Q) => {
    if (busyVote) return;
    const up = !state?.myVotes.has(question.id);
    setBusyVote(question.id);
    setError(null);
    client
      .vote(refId, question.id, up)
      .catch((e: unknown) => {
        // Voted in another tab meanwhile: the state says so now; nothing to tell.
        const code = (e as ChatError).code;
        if (code === 'already_voted' || code === 'not_voted') client.updateQa(refId, (s) => toggled(s, question.id, code === 'already_voted'));
        else fail(e);
      })
      .finally(() => setBusyVote(null));
  };

  if (!state) {
    return (
      <section class="qa" data-testid="qa-panel" data-ready="false" aria-label={q.questionsIn(roomName)}>
        <p class="qa-note">{q.loading}</p>
      </section>
    );
  }
  const pinned = pinnedQuestion(state);
  const { open, answered } = audienceQuestions(state, order);
  const mine = myUnpublished(state);
  const canVote = client.user?.role !== undefined;

  return (
    <section class="qa" data-testid="qa-panel" data-ready="true" aria-labelledby="qa-heading">
      <h3 class="qa-heading" id="qa-heading">
        {q.questionsIn(roomName)}
      </h3>
      <AskForm
        key={refId}
        client={client}
        refId={refId}
        state={state}
        t={t}
        onAsked={(pending) => {
          setError(null);
          setStatus(pending ? q.askedPending : q.askedPublished);
        }}
        onError={fail}
      />
      <p class="visually-hidden" role="status" aria-live="polite" data-testid="qa-status">
        {status}
      </p>
      {error && (
        <p class="form-error" role="alert" data-testid="qa-error">
          {error}
        </p>
      )}
      {mine.length > 0 && (
        <section class="qa-mine" aria-labelledby="qa-mine-heading">
          <h4 id="qa-mine-heading" class="qa-subheading">
            {q.myQuestionsHeading}
          </h4>
          <ol class="qa-list">
            {mine.map((x) => (
              <QuestionItem key={x.id} question={x} t={t} voted={false} canVote={false} busy={false} onVote={vote} />
            ))}
          </ol>
        </section>
      )}
      {pinned && (
        <section class="qa-pinned" aria-labelledby="qa-pinned-heading">
          <h4 id="qa-pinned-heading" class="qa-pinned-label">
            {q.nowAnswering}
          </h4>
          <ol class="qa-list">
            <QuestionItem question={pinned} t={t} voted={state.myVotes.has(pinned.id)} canVote={canVote} busy={busyVote === pinned.id} onVote={vote} />
          </ol>
        </section>
      )}
      <div class="qa-sort" role="radiogroup" aria-label={q.sortLabel}>
        {(['votes', 'time'] as const).map((o) => (
          <label key={o} class={order === o ? 'qa-sort-option qa-sort-option--on' : 'qa-sort-option'}>
            <input type="radio" name={`qa-order-${refId}`} value={o} checked={order === o} onChange={() => setOrder(o)} data-testid={`qa-sort-${o}`} />
            {o === 'votes' ? q.sortVotes : q.sortTime}
          </label>
        ))}
      </div>
      {open.length === 0 && !pinned && answered.length === 0 ? (
        <p class="qa-note" data-testid="qa-empty">
          {q.noQuestions}
        </p>
      ) : (
        <ol class="qa-list" data-testid="qa-list">
          {open.map((x) => (
            <QuestionItem key={x.id} question={x} t={t} voted={state.myVotes.has(x.id)} canVote={canVote} busy={busyVote === x.id} onVote={vote} />
          ))}
        </ol>
      )}
      {answered.length > 0 && (
        <section class="qa-answered" aria-labelledby="qa-answered-heading">
          <h4 id="qa-answered-heading" class="qa-subheading">
            {q.answeredHeading}
          </h4>
          <ol class="qa-list">
            {answered.map((x) => (
              <QuestionItem key={x.id} question={x} t={t} voted={state.myVotes.has(x.id)} canVote={canVote} busy={busyVote === x.id} onVote={vote} />
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}

/** The vote state after the server said it already was so (another tab of the same user). */
function toggled(s: QaState, id: string, voted: boolean): QaState {
  const myVotes = new Set(s.myVotes);
  if (voted) myVotes.add(id);
  else myVotes.delete(id);
  return { ...s, myVotes };
}

function errorText(t: Messages, e: unknown, maxChars: number): string {
  const err: ChatError = typeof e === 'object' && e !== null && 'code' in e ? (e as ChatError) : { code: 'internal', message: String(e) };
  if (err.code === 'question_too_long') return t.qa.questionTooLong(maxChars);
  if (err.code === 'unavailable') return t.qa.unavailable;
  return chatErrorText(t, err);
}

interface AskProps {
  client: ChatClient;
  refId: string;
  state: QaState;
  t: Messages;
  onAsked: (pending: boolean) => void;
  onError: (e: unknown) => void;
}

function AskForm({ client, refId, state, t, onAsked, onError }: AskProps) {
  const q = t.qa;
  const [text, setText] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [busy, setBusy] = useState(false);
  // One client_msg_id per question written: a retry after a lost ack is not asked twice.
  const key = useRef(uuid());
  const max = state.settings.question_max_chars;
  const length = textLength(text);
  const left = max - length;
  const over = left < 0;
  const showCount = left <= Math.max(30, Math.floor(max / 5));
  const kiosk = client.user?.id.startsWith('kiosk-') ?? false;

  const submit = (e: Event) => {
    e.preventDefault();
    if (busy || length === 0 || over) return;
    setBusy(true);
    client
      .ask(refId, text.trim(), anonymous, key.current)
      .then(() => {
        const asked = Object.values(client.qa.get(refId)?.questions ?? {}).find((x) => x.mine && x.text === text.trim());
        setText('');
        key.current = uuid();
        onAsked(asked?.status === 'pending');
      }, onError)
      .finally(() => setBusy(false));
  };
  if (kiosk) return null;
  return (
    <form class="qa-ask" onSubmit={submit} data-testid="qa-ask">
      <label for={`qa-ask-${refId}`} class="qa-ask-label">
        {q.askLabel}
      </label>
      <textarea
        id={`qa-ask-${refId}`}
        class={over ? 'qa-ask-input composer-input composer-input--over' : 'qa-ask-input composer-input'}
        rows={2}
        value={text}
        placeholder={q.askPlaceholder}
        aria-describedby={`qa-ask-count-${refId}${state.settings.premoderated ? ` qa-premod-${refId}` : ''}`}
        aria-invalid={over}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        data-testid="qa-ask-input"
      />
      <div class="qa-ask-foot">
        <label class="qa-anon">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous((e.target as HTMLInputElement).checked)} data-testid="qa-anonymous" aria-describedby={`qa-anon-hint-${refId}`} />
          <span>{q.anonymous}</span>
        </label>
        <span
          id={`qa-ask-count-${refId}`}
          class={over ? 'composer-count composer-count--over' : 'composer-count'}
          aria-live="polite"
          data-testid="qa-char-count"
          data-left={left}
        >
          {showCount ? (over ? q.charsOver(-left) : q.charsLeft(left)) : ''}
        </span>
        <button type="submit" class="button qa-ask-submit" disabled={busy || length === 0 || over} data-testid="qa-ask-submit">
          {busy ? q.asking : q.askSubmit}
        </button>
      </div>
      <p id={`qa-anon-hint-${refId}`} class="qa-hint" hidden={!anonymous}>
        {q.anonymousHint}
      </p>
      {state.settings.premoderated && (
        <p id={`qa-premod-${refId}`} class="qa-hint" data-testid="qa-premoderated">
          {q.premoderatedNote}
        </p>
      )}
    </form>
  );
}

interface ItemProps {
  question: Q;
  t: Messages;
  voted: boolean;
  canVote: boolean;
  busy: boolean;
  onVote: (q: Q) => void;
}

function QuestionItem({ question: x, t, voted, canVote, busy, onVote }: ItemProps) {
  const q = t.qa;
  const votable = canVote && (x.status === 'approved' || x.status === 'answered');
  const author = x.author?.name ?? (x.source === 'hall' ? null : q.anonymousAuthor);
  const cls = ['qa-item', x.pinned && 'qa-item--pinned', x.status === 'answered' && 'qa-item--answered', x.mine && 'qa-item--mine', `qa-item--${x.status}`]
    .filter(Boolean)
    .join(' ');
  return (
    <li class={cls} data-testid="qa-item" data-qid={x.id} data-status={x.status} data-pinned={x.pinned ? 'true' : undefined}>
      <div class="qa-item-body">
        <p class="qa-text" dir="auto" data-testid="qa-text">
          {x.text}
        </p>
        <p class="qa-meta">
          {author && <span class="qa-author">{author}</span>}
          {x.mine && <span class="qa-you">({q.you})</span>}
          {x.mine && x.anonymous && <span class="qa-badge qa-badge--anon">{q.anonymousToAudience}</span>}
          {x.source === 'hall' && <span class="qa-badge qa-badge--hall">{q.fromHall}</span>}
          {x.press && <span class="qa-badge qa-badge--press">{q.press}</span>}
          {x.status === 'answered' && <span class="qa-badge qa-badge--answered" data-testid="qa-answered">{q.answered}</span>}
          {x.edited && <span class="qa-edited">{q.edited}</span>}
          {x.status === 'pending' && <span class="qa-badge qa-badge--pending" data-testid="qa-state">{q.statusPending}</span>}
          {x.status === 'rejected' && <span class="qa-badge qa-badge--rejected" data-testid="qa-state">{q.statusRejected}</span>}
        </p>
        {x.status === 'rejected' && x.reason && (
          <p class="qa-reason" data-testid="qa-reason">
            {q.rejectedReason(x.reason)}
          </p>
        )}
      </div>
      {x.status === 'approved' || x.status === 'answered' ? (
        <button
          type="button"
          class={voted ? 'qa-vote qa-vote--on' : 'qa-vote'}
          aria-pressed={voted}
          disabled={!votable || busy}
          onClick={() => onVote(x)}
          data-testid="qa-vote"
        >
          <span class="qa-vote-arrow" aria-hidden="true">
            ▲
          </span>
          <span class="qa-votes" data-testid="qa-votes" data-count={x.votes}>
            {x.votes}
          </span>
          <span class="visually-hidden">{q.voteName(x.votes, x.text)}</span>
        </button>
      ) : null}
    </li>
  );
}

