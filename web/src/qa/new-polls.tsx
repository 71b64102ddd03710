// A count on the Polls view tab (the Q&A tab on wide screens) of the open polls of the chat's
// room not yet seen: a poll opened during a talk is otherwise easy to miss on a phone. It
// subscribes to the client itself, so the event page does not re-render on every message.
import { useEffect, useState } from 'preact/hooks';
import type { Messages } from '../i18n';
import type { ChatClient } from '../ws';
import { visiblePolls } from './state';

interface Props {
  client: ChatClient | null;
  /** EVENT/ROOM of the chat's room, null before one. */
  refId: string | null;
  /** The polls are on screen: every open one counts as seen. */
  seeing: boolean;
  t: Messages;
}

export function NewPollsBadge({ client, refId, seeing, t }: Props) {
  const [, setVersion] = useState(0);
  const [seen, setSeen] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => client?.subscribe(() => setVersion(client.version)), [client]);
  const state = client && refId ? client.qa.get(refId) : undefined;
  const open = state ? visiblePolls(state).filter((p) => p.state === 'open').map((p) => p.id) : [];
  const key = open.join(',');
  useEffect(() => {
    if (seeing && open.some((id) => !seen.has(id))) setSeen(new Set([...seen, ...open]));
  }, [seeing, key]);
  const n = seeing ? 0 : open.filter((id) => !seen.has(id)).length;
  if (n === 0) return null;
  return (
    <span class="unread" data-testid="new-polls" data-count={n}>
      <span aria-hidden="true">{n}</span>
      <span class="visually-hidden">{t.qa.newPolls(n)}</span>
    </span>
  );
}
