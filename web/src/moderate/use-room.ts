// One ChatClient (ws.ts) for one room, as the console and the projector use it: created for the
// credentials, joined to the room, re-rendering on every change; `reconnect` starts over after a
// refusal.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { QaState } from '../qa/state';
import { ChatClient, defaultSocketUrl, type ChatError, type Credentials } from '../ws';

export interface RoomFeed {
  client: ChatClient;
  ref: string;
  qa: QaState | null;
  /** Bumped on every change of the client. */
  version: number;
  reconnect: () => void;
}

/** Sends a request; resolves with the result or rejects with the ChatError. */
export type Call = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

export function useRoom(event: string, room: string, credentials: Credentials): RoomFeed {
  const ref = `${event}/${room}`;
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(credentials);
  const client = useMemo(
    () => new ChatClient({ url: defaultSocketUrl(), event, credentials, rooms: [ref] }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [event, ref, key, generation],
  );
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const off = client.subscribe(() => setVersion(client.version));
    client.start();
    return () => {
      off();
      client.stop();
    };
  }, [client]);
  const reconnect = useCallback(() => setGeneration((n) => n + 1), []);
  return { client, ref, qa: client.qa.get(ref) ?? null, version, reconnect };
}

/** A ChatError's words for people: the catalog's for the codes it knows, else the server's message. */
export function errorWords(errors: Record<string, string>, e: unknown): string {
  const err = e as ChatError | null;
  if (err && typeof err.code === 'string') {
    const known = errors[err.code];
    if (known) return err.code === 'poll_invalid' && err.message ? `${known}: ${err.message}` : known;
    return err.message || err.code;
  }
  return String(e);
}
