// The speaker's page (#interview=SPEAKER_TOKEN, the link in the interview_requested mail): who
// asks (journalist, outlet), when they would like it and why; accept, propose another time or
// decline, with a note; then the result.
import { useEffect, useState } from 'preact/hooks';
import { langIf, pick, type Lang } from '../i18n';
import { RequestError } from '../org-api';
import { getSpeakerInterview, speakerAnswer, type Interview, type PressEvent } from './api';
import { failure, Loading } from './common';
import { pressCatalogs, type PressMessages } from './i18n';
import { AnswerForm, InterviewFacts } from './office';
import './press.css';

type Load = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; iv: Interview; event: PressEvent };

export function InterviewPage({ token, lang, locale }: { token: string; lang: Lang; locale: string }) {
  const p = pressCatalogs[lang];
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const c = new AbortController();
    getSpeakerInterview(token, c.signal).then(
      ({ interview, event }) => setLoad({ status: 'ready', iv: interview, event }),
      (error: unknown) => {
        if (!c.signal.aborted) setLoad({ status: 'error', error });
      },
    );
    return () => c.abort();
  }, [token, attempt]);
  useEffect(() => {
    document.title = p.speakerTitle;
  }, [p]);
  if (load.status === 'loading') return <Loading p={p} />;
  if (load.status === 'error') {
    const gone = load.error instanceof RequestError && (load.error.status === 404 || load.error.status === 410);
    return (
      <section class="panel panel--narrow press-page" data-testid="speaker-invalid">
        <h1 class="panel-title">{p.speakerTitle}</h1>
        <p role="alert">{gone ? p.speakerInvalid : failure(p, load.error)}</p>
        {!gone && <button type="button" class="button" onClick={() => setAttempt((n) => n + 1)}>{p.retry}</button>}
      </section>
    );
  }
  const { iv, event } = load;
  const title = pick(event.title, lang);
  const open = iv.state === 'requested';
  return (
    <section class="panel panel--narrow press-page" aria-labelledby="speaker-title" data-testid="speaker-page" data-state={iv.state}>
      <p class="press-dim" lang={langIf(title.lang, lang)}>{title.text}</p>
      <h1 id="speaker-title" class="panel-title" tabIndex={-1}>{p.speakerTitle}</h1>
      <p class="press-intro" data-testid="speaker-intro">{p.speakerIntro(iv.journalist)}</p>
      <InterviewFacts iv={iv} locale={locale} p={p} />
      {open ? (
        <AnswerForm
          idBase="speaker"
          p={p}
          onAnswer={async (a, proposed, note) => {
            const next = await speakerAnswer(token, a, proposed, note);
            setLoad({ status: 'ready', iv: next, event });
            requestAnimationFrame(() => document.getElementById('speaker-result')?.focus());
          }}
        />
      ) : (
        <Result iv={iv} p={p} />
      )}
    </section>
  );
}

function Result({ iv, p }: { iv: Interview; p: PressMessages }) {
  const text =
    iv.state === 'accepted' ? p.resultAccepted
    : iv.state === 'proposed' ? p.resultProposed(iv.proposed ?? '')
    : iv.state === 'declined' ? p.resultDeclined
    : iv.state === 'cancelled' ? p.resultCancelled
    : p.interviewStates[iv.state] ?? iv.state;
  return (
    <p id="speaker-result" class={`press-note press-note--${iv.state}`} role="status" tabIndex={-1} data-testid="speaker-result" data-state={iv.state}>
      {text}
    </p>
  );
}
