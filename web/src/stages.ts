// The stages' live status for the page: from the WebSocket (`stages` request and `stage` events,
// docs/protocol.md) while a chat connection is up and the server supports it, else by polling
// GET /api/v1/stages every 5 s. Organizers' actions apply their reply at once; the next event or
// poll brings the server's word.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, isStage, listStages, type Stage, type StageOutput } from './api';
import type { ChatClient } from './ws';

export const POLL_MS = 5_000;

export interface StagesFeed {
  /** null until the first answer. */
  stages: Stage[] | null;
  /** Whether the status arrives over the WebSocket (else it is polled). */
  live: boolean;
  /** Puts a stage as the server returned it after an action. */
  putStage: (stage: Stage) => void;
  putOutput: (stage: string, output: StageOutput) => void;
  dropOutput: (stage: string, output: string) => void;
}

/**
 * `client`: the chat connection, if the page has one. `token`: sent with the polls (a moderator's
 * or organizer's, for the full view); without it the public view.
 */
export function useStages(client: ChatClient | null, token: string | undefined): StagesFeed {
  const [stages, setStages] = useState<Stage[] | null>(null);
  const [live, setLive] = useState(false);
  const seen = useRef<unknown>(null);

  // The WebSocket feed: copies the client's list when it changes (not on every chat message).
  useEffect(() => {
    if (!client) {
      setLive(false);
      return;
    }
    const update = () => {
      const isLive = client.stageFeed === 'live';
      setLive(isLive);
      if (isLive && client.stages !== seen.current) {
        seen.current = client.stages;
        setStages(client.stages.filter((s): s is Record<string, unknown> & Stage => isStage(s)));
      }
    };
    update();
    const unsubscribe = client.subscribe(update);
    return () => {
      unsubscribe();
      seen.current = null;
    };
  }, [client]);

  // Polling while there is no WebSocket feed.
  useEffect(() => {
    if (live) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let auth = token;
    const poll = async () => {
      // Offline, a request can only fail (and the browser logs it): wait for the network.
      if (!navigator.onLine) {
        timer = setTimeout(poll, POLL_MS);
        return;
      }
      try {
        setStages(await listStages(auth, controller.signal));
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.kind === 'not_found') {
          setStages([]); // a server without stages: nothing to show, nothing to poll
          return;
        }
        if (e instanceof ApiError && (e.status === 401 || e.status === 403) && auth) auth = undefined; // the public view then
        console.warn(e instanceof Error ? e.message : String(e));
      }
      timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [live, token]);

  const putStage = useCallback((stage: Stage) => {
    setStages((list) => (list ? list.map((s) => (s.id === stage.id ? stage : s)) : list));
  }, []);
  const putOutput = useCallback((stageId: string, output: StageOutput) => {
    setStages((list) =>
      list
        ? list.map((s) => {
            if (s.id !== stageId) return s;
            const outputs = s.outputs ?? [];
            const i = outputs.findIndex((o) => o.id === output.id);
            return { ...s, outputs: i >= 0 ? outputs.map((o) => (o.id === output.id ? output : o)) : [...outputs, output] };
          })
        : list,
    );
  }, []);
  const dropOutput = useCallback((stageId: string, outputId: string) => {
    setStages((list) =>
      list ? list.map((s) => (s.id === stageId ? { ...s, outputs: (s.outputs ?? []).filter((o) => o.id !== outputId) } : s)) : list,
    );
  }, []);

  return { stages, live, putStage, putOutput, dropOutput };
}

/** The stage to show attendees: the one of the main-stage room, else the first. */
export function mainStage(stages: Stage[] | null, mainRoom: string | undefined): Stage | null {
  if (!stages?.length) return null;
  return stages.find((s) => mainRoom !== undefined && s.room === mainRoom) ?? stages[0] ?? null;
}

/**
 * The stage to play when the viewer has chosen `room` (a chat room tab, a session card's
 * "Watch"): that room's own stage if it has one, else the main stage.
 */
export function stageForRoom(stages: Stage[] | null, room: string | null, mainRoom: string | undefined): Stage | null {
  const own = room !== null ? stages?.find((s) => s.room === room) : undefined;
  return own ?? mainStage(stages, mainRoom);
}
