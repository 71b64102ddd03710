// The journalist's own request (#accreditation=MANAGE_TOKEN, the link in the received-mail):
// its state, the press officer's question with an answer box, the rejection's reason, and
// "approved: check your e-mail" (the personal press link goes by e-mail only).
import { useEffect, useState } from 'preact/hooks';
import { langIf, pick, type Lang } from '../i18n';
import { RequestError } from '../org-api';
import { answerQuestion, getOwnAccreditation, type Accreditation, type PressEvent } from './api';
import { dayName, failure, Loading, when } from './common';
import { pressCatalogs } from './i18n';
import './press.css';

type Load = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; a: Accreditation; event: PressEvent };

export function RequestPage({ token, lang, locale }: { token: string; lang: Lang; locale: string }) {
  const p = pressCatalogs[lang];
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [answered, setAnswered] = useState(false);
  useEffect(() => {
    const c = new AbortController();
    getOwnAccreditation(token, c.signal).then(
      ({ accreditation, event }) => setLoad({ status: 'ready', a: accreditation, event }),
      (error: unknown) => {
        if (!c.signal.aborted) setLoad({ status: 'error', error });
      },
    );
    return () => c.abort();
  }, [token, attempt]);
  useEffect(() => {
    document.title = p.requestTitle;
  }, [p]);

  if (load.status === 'loading') return <Loading p={p} />;
  if (load.status === 'error') {
    const gone = load.error instanceof RequestError && (load.error.status === 404 || load.error.status === 410);
    return (
      <section class="panel panel--narrow press-page" data-testid="request-invalid">
        <h1 class="panel-title">{p.requestTitle}</h1>
        <p role="alert">{gone ? p.requestInvalid : failure(p, load.error)}</p>
        {!gone && <button type="button" class="button" onClick={() => setAttempt((n) => n + 1)}>{p.retry}</button>}
      </section>
    );
  }
  const { a, event } = load;
  const title = pick(event.title, lang);
  const text =
    a.state === 'approved' ? p.approvedText
    : a.state === 'rejected' ? p.rejectedText
    : a.state === 'revoked' ? p.revokedText
    : a.state === 'pending' ? p.pendingText
    : null;
  return (
    <section class="panel panel--narrow press-page" aria-labelledby="request-title" data-testid="request-page" data-state={a.state}>
      <p class="press-dim" lang={langIf(title.lang, lang)}>{title.text}</p>
      <h1 id="request-title" class="panel-title">{p.requestTitle}</h1>
      <dl class="press-facts">
        <div>
          <dt>{p.stateLabel}</dt>
          <dd>
            <span class={`press-state press-state--${a.state}`} data-testid="request-state" data-state={a.state}>{p.states[a.state] ?? a.state}</span>
          </dd>
        </div>
        <div>
          <dt>{p.name}</dt>
          <dd>{a.name}, {a.outlet}</dd>
        </div>
        <div>
          <dt>{p.dayNames(a.days.length)}</dt>
          <dd>{a.days.map((d) => dayName(d, locale)).join(', ')}</dd>
        </div>
        <div>
          <dt>{p.attendanceLegend}</dt>
          <dd>{p.attendance[a.attendance] ?? a.attendance}</dd>
        </div>
        {a.created_at > 0 && (
          <div>
            <dt>{p.submittedAt}</dt>
            <dd>{when(a.created_at, locale, event.timezone)}</dd>
          </div>
        )}
      </dl>
      {text && <p class={`press-note press-note--${a.state}`} data-testid="request-text">{text}</p>}
      {a.state === 'rejected' && a.reason && (
        <p data-testid="request-reason">
          <strong>{p.reasonLabel}:</strong> {a.reason}
        </p>
      )}
      {a.state === 'info_requested' && (
        <Answer
          token={token}
          question={a.question}
          lang={lang}
          onAnswered={(next) => {
            setAnswered(true);
            setLoad({ status: 'ready', a: next, event });
          }}
        />
      )}
      <p class="press-ok" role="status" data-testid="request-answer-status">{answered ? p.answerSent : ''}</p>
    </section>
  );
}

function Answer({ token, question, lang, onAnswered }: { token: string; question: string; lang: Lang; onAnswered: (a: Accreditation) => void }) {
  const p = pressCatalogs[lang];
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) {
      setError(p.required);
      document.getElementById('request-answer')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const next = await answerQuestion(token, text.trim());
      onAnswered(next);
    } catch (err) {
      setError(failure(p, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form press-answer" onSubmit={submit} noValidate data-testid="request-answer-form">
      <p class="press-question" data-testid="request-question">
        <strong>{p.question}:</strong> {question}
      </p>
      <div class="field">
        <label for="request-answer">{p.answerLabel}</label>
        <textarea id="request-answer" rows={4} maxLength={2000} value={text} onInput={(e) => setText(e.currentTarget.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? 'request-answer-error' : undefined} data-testid="request-answer" />
        {error && <span id="request-answer-error" class="form-error" role="alert" data-testid="request-answer-error">{error}</span>}
      </div>
      <div class="form-actions">
        <button type="submit" class="button" disabled={busy} data-testid="request-answer-send">{p.sendAnswer}</button>
      </div>
    </form>
  );
}
