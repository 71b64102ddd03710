// The shape of a message catalog. Every user-visible UI string lives in one catalog per
// language (sv.ts, en.ts, fi.ts), each declared as `Messages`: a missing or misspelled key is
// a type error. Content (event titles, session descriptions…) comes from the API instead.
import type { InputState, OutputState, SessionKind, StageInput, StageState } from '../api';
import type { ConnectionState, Role } from '../ws';
import type { OrgMessages } from './org-messages';
import type { QaMessages } from './qa-messages';

export interface Messages {
  /** The language's own name, shown in the language switcher. */
  languageName: string;
  /** Product name in the header. */
  appName: string;
  /** Label of the language switcher. */
  languageLabel: string;
  skipToProgram: string;

  loading: string;
  errorTitle: string;
  errorUnreachable: string;
  errorNotFound: string;
  errorServer: (status: number) => string;
  errorInvalid: string;
  retry: string;
  noEvents: string;

  /** Navigation between events, when the server has several. */
  eventsNav: string;
  /** The event facts list. */
  eventFacts: string;
  /** Label of the event's date or dates; n is the number of days. */
  dates: (n: number) => string;
  place: string;
  organizer: string;
  /** "All times in Central European Time (Europe/Stockholm)": zone is the localized name of the event's time zone, id its IANA id. */
  timesIn: (zone: string, id: string) => string;
  /** The same after the viewer chose to see the times in their own time zone. */
  timesInYours: (zone: string, id: string) => string;
  /** The switch to the viewer's own time zone (zone: its localized name), shown when it differs from the event's. */
  showMyTime: (zone: string) => string;
  /** The switch back to the event's time zone. */
  showEventTime: string;

  program: string;
  /** Label of the day tabs. */
  chooseDay: string;
  noSessions: string;
  /** Badge on a time slot with several sessions that compete for the audience (seminars, plenaries; n ≥ 2). */
  parallel: (n: number) => string;
  /** Time range of a slot or session; start and end are already formatted for the locale. */
  timeRange: (start: string, end: string) => string;
  sessionKind: Record<SessionKind, string>;
  /** Accessible label before a session's room name. */
  room: string;
  speakers: string;

  /** Browser tab title. */
  documentTitle: (eventTitle: string) => string;

  // --- chat ---------------------------------------------------------------------------------

  /** Heading of the chat panel, and its tab on narrow screens. */
  chat: string;
  /** Label of the program/chat switch on narrow screens. */
  viewSwitch: string;
  joinChatTitle: string;
  joinChatIntro: string;
  nameLabel: string;
  nameHint: string;
  nameRequired: string;
  /** The role select (only in this demo: a real sign-in decides the role). */
  roleLabel: string;
  joinButton: string;
  joinAsGuestButton: string;
  /** Shown when the server hands out no tokens: guests may still join open rooms. */
  guestModeNote: string;
  signingIn: string;
  signedInAs: (name: string) => string;
  leaveChat: string;
  roles: Record<Role, string>;
  connection: Record<ConnectionState, string>;
  offlineHint: string;
  reconnectNow: string;
  /** Label of the room tabs. */
  rooms: string;
  /** Accessible text of a room tab's unread badge. */
  unread: (n: number) => string;
  /** Members in a room right now. */
  people: (n: number) => string;
  membersTitle: string;
  noMessages: string;
  joiningRoom: string;
  leaveRoom: string;
  /** Accessible name of a room's message log. */
  messagesIn: (room: string) => string;
  /** Accessible name of the composer. */
  messageLabel: (room: string) => string;
  messagePlaceholder: string;
  enterHint: string;
  send: string;
  charsLeft: (n: number) => string;
  charsOver: (n: number) => string;
  postSending: string;
  postQueued: string;
  postRetry: string;
  postDiscard: string;
  /** Marks one's own messages for screen readers. */
  you: string;
  /** Translated error codes of docs/protocol.md, plus the client's `timeout` and `disconnected`. */
  chatErrors: Record<ChatErrorCode, string>;
  rateLimited: (seconds: number) => string;
  textTooLong: (max: number) => string;
  chatErrorOther: (code: string) => string;

  // --- stages (video) ---------------------------------------------------------------------------

  /** Accessible name of the player region; stage is the stage's name. */
  stagePlayer: (stage: string) => string;
  /** The state badge on the player and in the broadcast view. */
  stageState: Record<StageState, string>;
  /** Beside the state on a stage card: time is when the state began (clock time), elapsed how long ago ("12 min"). */
  stateSince: (time: string, elapsed: string) => string;
  /** Over the player while the stage is offline. */
  stageOfflineNote: string;
  /** Over the player while it (re)loads the stream. */
  stageConnecting: string;
  unmute: string;
  /** The organizers' and moderators' view tab ("Stages"). */
  broadcast: string;
  broadcastIntro: string;
  broadcastReadOnly: string;
  noStages: string;
  /** How the live status arrives: over the WebSocket, or by polling. */
  feedLive: string;
  feedPolling: string;
  stageMode: Record<'passthrough' | 'produced', string>;
  /** What the mode means for what viewers see, in plain words. */
  stageModeHint: Record<'passthrough' | 'produced', string>;
  /** Label of the stage's mode. */
  modeLabel: string;
  startStage: string;
  stopStage: string;
  confirmStopStage: (stage: string) => string;
  input: string;
  /** The input's kind in plain words (no "srt", "test source"). */
  inputKind: Record<StageInput['kind'], string>;
  inputState: Record<InputState, string>;
  bitrate: string;
  keyframeInterval: string;
  uptime: string;
  /** Under an SRT input: how long the encoder has been connected; duration is "1:02:03". */
  callerConnectedFor: (duration: string) => string;
  /** Under the bitrate that goes out: what the input brings in. */
  bitrateIn: (bitrate: string) => string;
  /** Distinct players that fetched the stage's video in the last 30 s. */
  viewers: string;
  viewersHint: string;
  /** The broadcast view's list of rooms and their chat members. */
  roomMembers: string;
  roomMembersIntro: string;
  membersNow: string;
  /** Column: the stage that shows the room. */
  roomStage: string;
  frames: string;
  rejectedCallers: string;
  /** The last refused caller's reason (server codes) and what to do; other codes show as they are. */
  callerRejections: Partial<Record<string, string>>;
  /** When the last caller was refused: time is the clock time, ago how long ago ("3 min"). */
  lastRejection: (time: string, ago: string) => string;
  lastError: string;
  hlsSegments: string;
  recording: string;
  recordingState: Record<'off' | 'recording' | 'disabled', string>;
  outputs: string;
  noOutputs: string;
  outputName: string;
  outputUrl: string;
  streamKey: string;
  stateLabel: string;
  outputState: Record<OutputState, string>;
  /** Why an output failed or is retrying (server reason codes); other codes show as they are. */
  outputReasons: Partial<Record<string, string>>;
  /** "retry in 4 s". */
  nextRetry: (seconds: number) => string;
  reconnects: string;
  outputSource: Record<'config' | 'api', string>;
  actions: string;
  stopOutput: string;
  retryOutput: string;
  startOutput: string;
  removeOutput: string;
  confirmRemove: (name: string) => string;
  cancel: string;
  addOutput: string;
  addOutputIntro: string;
  streamKeyHint: string;
  adding: string;
  /** A refused request; detail is the server's own (English) message, if any. */
  actionFailed: (detail: string) => string;
  notAllowed: string;
  recordings: string;
  noRecordings: string;
  chapters: string;
  refresh: string;
  recordingSize: string;
  recordingTime: string;
  recordingSession: string;
  download: string;

  // --- issue 15: join links, guest names, watching a room --------------------------------------

  /** Forgets the personal join link (or the guest name) and leaves the chat. */
  signOut: string;
  /** The server refused the personal join link (expired, damaged, another event's). */
  joinLinkRefused: string;
  /** Why the server refused a guest's name (error codes of the hello). */
  guestNameErrors: Record<'name_taken' | 'name_reserved', string>;
  /** A session card's button that plays its room's stage. */
  watch: string;
  /** A session card's button that opens its room's chat. */
  goToRoom: string;
  /** Shown when the server hands out no demo tokens: personal links sign in, else guests join open rooms. */
  guestModeLinkNote: string;
  /** Under the player: how many watch the stage now (the stage's `viewers`). */
  stageViewers: (n: number) => string;

  /** The organizer's side: staff sign-in, invitations, the console, registration, program marks. */
  org: OrgMessages;

  /** Q&A, polls and the chat's moderation notices (issue 17). */
  qa: QaMessages;
}

/** Error codes with a plain translated text (rate_limited and text_too_long take a number). */
export type ChatErrorCode =
  | 'text_empty'
  | 'text_invalid'
  | 'forbidden'
  | 'no_such_room'
  | 'wrong_event'
  | 'too_many_rooms'
  | 'not_in_room'
  | 'token_invalid'
  | 'token_expired'
  | 'token_unknown_key'
  | 'token_wrong_event'
  // issue 18: a press grant's hello or join refused
  | 'grant_invalid'
  | 'grant_expired'
  | 'grant_not_yet_valid'
  | 'grant_revoked'
  | 'grant_unknown_key'
  | 'grant_wrong_stage'
  | 'grant_missing'
  | 'no_such_event'
  | 'guests_not_allowed'
  | 'name_invalid'
  | 'unavailable'
  | 'internal'
  | 'timeout'
  | 'disconnected';
