// The chat panel: "Join the chat" until the page has an identity, then the rooms.
import type { ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, requestDevToken, type ConferenceEvent } from '../api';
import { forgetJoin, saveIdentity, takeUnusableLink, type Identity } from '../identity';
import type { Lang, Messages } from '../i18n';
import type { ChatClient, ChatError, Role } from '../ws';
import { chatErrorText, isGuestNameError } from './chat-errors';
import { ChatSession, type RoomRequest } from './chat-session';

interface Props {
  event: ConferenceEvent;
  lang: Lang;
  locale: string;
  t: Messages;
  /** Whether the panel is on screen (wide layout, or the chat tab on narrow screens). */
  visible: boolean;
  onUnread: (n: number) => void;
  /** Who the page is (kept by the event view, which also shows the broadcast tab to organizers). */
  identity: Identity | null;
  onIdentity: (identity: Identity | null) => void;
  /** The connection while signed in, for the stages' live status; null when signed out. */
  onClient: (client: ChatClient | null) => void;
  /** A room the viewer asked for elsewhere in the page ("Go to the room" on a session card). */
  request: RoomRequest | null;
  /** The room chosen in the chat (a room id of the event), for the player. */
  onRoom: (room: string, initial: boolean) => void;
}

/** Why the sign-in form is shown again. */
interface Refusal {
  error: ChatError | null;
  /** The refused identity came from a personal join link. */
  link: boolean;
  /** The refused identity was a guest (its name is what to change). */
  guest: boolean;
}

/** Whether this server was seen without dev tokens (POST /api/v1/dev/token 404): guest mode at once. */
const noDevTokensKey = 'samling.devtokens.off';
function devTokensOff(): boolean {
  try {
    return sessionStorage.getItem(noDevTokensKey) === '1';
  } catch {
    return false;
  }
}
function rememberDevTokensOff(): void {
  try {
    sessionStorage.setItem(noDevTokensKey, '1');
  } catch {
    // not remembered: the next sign-in asks again
  }
}

/** Roles one may pick in this demo; a real sign-in would decide the role. */
const demoRoles: Role[] = ['attendee', 'moderator', 'press', 'organizer'];

export function Chat(props: Props) {
  const { event, lang, locale, t, visible, onUnread, identity, onIdentity: setIdentity, onClient, request, onRoom } = props;
  // A join link that could not be used when the page opened is said at once.
  const [refused, setRefused] = useState<Refusal | null>(() =>
    takeUnusableLink(event.id) && !identity?.link ? { error: null, link: true, guest: false } : null,
  );
  const [lastName, setLastName] = useState(identity?.link ? '' : (identity?.name ?? ''));

  const signIn = (id: Identity) => {
    saveIdentity(id, event.id);
    setRefused(null);
    setIdentity(id);
  };
  // Signing out (why = null) or refused by the server: forgets the join link and the guest
  // identity; the typed name stays in the form.
  const signOut = (why: ChatError | null) => {
    const link = identity?.link === true;
    if (identity && !link) setLastName(identity.name);
    if (link) forgetJoin(event.id);
    saveIdentity(null, event.id);
    setIdentity(null);
    setRefused(why ? { error: why, link, guest: identity?.role === 'guest' } : null);
    onUnread(0);
  };
  const refusedText = !refused ? null : refused.link ? t.joinLinkRefused : refused.error ? chatErrorText(t, refused.error) : null;

  const heading = (
    <h2 class="chat-heading" id="chat-heading">
      {t.chat}
    </h2>
  );

  return (
    <aside class={identity ? 'chat' : 'chat chat--signin'} aria-labelledby="chat-heading" data-testid="chat">
      {identity ? (
        <ChatSession
          heading={heading}
          key={`${identity.token ?? 'guest'}:${identity.name}`}
          event={event}
          identity={identity}
          lang={lang}
          locale={locale}
          t={t}
          visible={visible}
          onUnread={onUnread}
          onSignOut={signOut}
          onClient={onClient}
          request={request}
          onRoom={onRoom}
        />
      ) : (
        <SignIn
          heading={heading}
          event={event}
          t={t}
          initialName={lastName}
          refused={refusedText}
          nameRefused={refused?.error ? isGuestNameError(refused.error.code) : false}
          initialGuest={refused?.guest === true}
          request={request}
          onSignedIn={signIn}
        />
      )}
    </aside>
  );
}

interface SignInProps {
  heading: ComponentChild;
  event: ConferenceEvent;
  t: Messages;
  initialName: string;
  refused: string | null;
  /** The refusal was about the guest's name (name_taken, name_reserved). */
  nameRefused: boolean;
  /** Start in guest mode (the server gave no token before). */
  initialGuest: boolean;
  /** "Go to the room" while signed out: the name field gets the focus. */
  request: RoomRequest | null;
  onSignedIn: (identity: Identity) => void;
}

function SignIn({ heading, event, t, initialName, refused, nameRefused, initialGuest, request, onSignedIn }: SignInProps) {
  const [name, setName] = useState(initialName);
  const [role, setRole] = useState<Role>('attendee');
  const [guestMode, setGuestMode] = useState(() => initialGuest || devTokensOff());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(refused);
  const [nameError, setNameError] = useState(nameRefused);
  const nameField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (request) nameField.current?.focus();
  }, [request]);
  useEffect(() => {
    if (nameRefused) nameField.current?.focus();
  }, [nameRefused]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError(t.nameRequired);
      setNameError(true);
      return;
    }
    setNameError(false);
    if (guestMode) {
      onSignedIn({ event: event.id, name: trimmed, role: 'guest' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { token, user } = await requestDevToken(event.id, trimmed, role);
      onSignedIn({ event: event.id, name: user.name || trimmed, role: (user.role as Role) || role, token });
    } catch (err) {
      const apiError = err instanceof ApiError ? err : new ApiError('invalid', String(err));
      console.warn(apiError.message);
      if (apiError.kind === 'not_found') {
        setGuestMode(true); // no dev tokens here: offer to join the open rooms as a guest
        rememberDevTokensOff();
      } else if (apiError.kind === 'unreachable') {
        setError(t.errorUnreachable);
      } else if (apiError.code) {
        setError(chatErrorText(t, { code: apiError.code, message: apiError.message }));
        setNameError(apiError.code.startsWith('name_'));
      } else {
        setError(apiError.kind === 'server' ? t.errorServer(apiError.status) : t.errorInvalid);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="signin" onSubmit={submit} data-testid="chat-signin" noValidate>
      {heading}
      <p class="signin-title">{t.joinChatTitle}</p>
      <p class="signin-intro">{t.joinChatIntro}</p>
      <div class="field">
        <label for="chat-name">{t.nameLabel}</label>
        <input
          id="chat-name"
          type="text"
          autoComplete="nickname"
          maxLength={60}
          value={name}
          ref={nameField}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          aria-describedby={error && nameError ? 'chat-name-hint chat-signin-error' : 'chat-name-hint'}
          aria-invalid={error !== null && nameError}
          data-testid="chat-name"
        />
        <span id="chat-name-hint" class="field-hint">
          {t.nameHint}
        </span>
      </div>
      {!guestMode && (
        <div class="field">
          <label for="chat-role">{t.roleLabel}</label>
          <select
            id="chat-role"
            value={role}
            onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}
            data-testid="chat-role"
          >
            {demoRoles.map((r) => (
              <option key={r} value={r}>
                {t.roles[r]}
              </option>
            ))}
          </select>
        </div>
      )}
      {guestMode && (
        <p class="signin-note" role="status" data-testid="guest-mode">
          {t.guestModeLinkNote}
        </p>
      )}
      {error && (
        <p class="form-error" id="chat-signin-error" role="alert" data-testid="chat-signin-error">
          {error}
        </p>
      )}
      <button type="submit" class="button" disabled={busy} data-testid="chat-join">
        {busy ? t.signingIn : guestMode ? t.joinAsGuestButton : t.joinButton}
      </button>
    </form>
  );
}
