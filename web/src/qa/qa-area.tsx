// Where the event page shows a room's Q&A and polls: the room chosen in the chat. Beside the chat
// on wide screens (questions and polls side by side in the main column), or as the "Questions"
// and "Polls" tabs on a phone. Without an identity it asks the visitor to join (the chat's
// sign-in form, or the guest name) first.
import { useEffect, useState } from 'preact/hooks';
import type { ConferenceEvent } from '../api';
import type { Identity } from '../identity';
import { pick, type Lang, type Messages } from '../i18n';
import type { ChatClient } from '../ws';
import { PollPanel } from './poll-panel';
import { QaPanel } from './qa-panel';
import './qa.css';

interface Props {
  client: ChatClient | null;
  event: ConferenceEvent;
  /** The chat's room (a room id of the event), null before one is chosen. */
  room: string | null;
  identity: Identity | null;
  lang: Lang;
  t: Messages;
  part: 'both' | 'questions' | 'polls';
  onSignIn: () => void;
}

export function QaArea({ client, event, room, identity, lang, t, part, onSignIn }: Props) {
  const [, setVersion] = useState(0);
  useEffect(() => client?.subscribe(() => setVersion(client.version)), [client]);
  const info = event.rooms.find((r) => r.id === room);
  const ref = info ? `${event.id}/${info.id}` : null;

  let body;
  if (!identity) {
    body = (
      <div class="qa-signin" data-testid="qa-signin">
        <p>{t.qa.signInToTakePart}</p>
        <button type="button" class="button" onClick={onSignIn} data-testid="qa-signin-button">
          {t.qa.signInButton}
        </button>
      </div>
    );
  } else if (!client || !ref || !client.rooms.has(ref)) {
    body = <p class="qa-note">{identity ? t.qa.chooseRoom : t.qa.loading}</p>;
  } else {
    const name = pick(info!.name, lang).text;
    body = (
      <>
        {part !== 'polls' && <QaPanel client={client} refId={ref} roomName={name} t={t} />}
        {part !== 'questions' && <PollPanel client={client} refId={ref} roomName={name} t={t} />}
      </>
    );
  }
  return (
    <div class={`qa-area qa-area--${part}`} data-testid={`qa-area-${part}`} data-room={ref ?? undefined}>
      {body}
    </div>
  );
}
