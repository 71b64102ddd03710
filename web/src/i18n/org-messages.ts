// The strings of the organizer's side (issue 16): staff sign-in, invitations, the console,
// registration and the live program's marks. A part of `Messages` (messages.ts, `org`), kept
// in its own file per language (org-sv.ts, org-en.ts, org-fi.ts).
import type { Mode, RegistrationState } from '../org-api';
import type { SessionChange } from '../api';

export interface OrgMessages {
  // --- staff sign-in ---------------------------------------------------------------------------
  staffSignIn: string;
  signInTitle: string;
  signInIntro: string;
  email: string;
  password: string;
  signInButton: string;
  signingIn: string;
  signInFailed: string;
  /** Locked after too many failed attempts; minutes to wait. */
  signInLocked: (minutes: number) => string;
  /** Too many requests; seconds to wait. */
  rateLimited: (seconds: number) => string;
  signedInAs: (name: string) => string;
  signOut: string;
  signOutEverywhere: string;
  console: string;
  toEventPage: string;
  /** The press officer's console of the event (issue 18). */
  toPressOffice: string;
  /** Shown when a console page needs a signed-in organizer. */
  signInNeeded: string;
  notOrganizer: string;
  /** A request refused for its CSRF token or an expired session. */
  sessionExpired: string;
  requestFailed: (message: string) => string;

  // --- invitations -------------------------------------------------------------------------------
  inviteTitle: string;
  inviteIntro: (role: string, event: string) => string;
  inviteFor: string;
  inviteRole: string;
  inviteExpires: string;
  newPassword: string;
  passwordRules: string;
  passwordTooShort: string;
  passwordTooLong: string;
  confirmPassword: string;
  passwordsDiffer: string;
  currentPassword: string;
  existingAccountNote: string;
  acceptButton: string;
  inviteInvalid: string;
  roleNames: Record<string, string>;

  // --- console ---------------------------------------------------------------------------------------
  consoleTitle: string;
  yourEvents: string;
  noEventsYet: string;
  newEvent: string;
  eventId: string;
  eventIdHint: string;
  titleIn: (lang: string) => string;
  firstDay: string;
  lastDay: string;
  timezone: string;
  venue: string;
  venueAddress: string;
  city: string;
  create: string;
  save: string;
  /** Save a form that publishes nothing (registration settings). */
  saveSettings: string;
  settingsSaved: string;
  importSeriesTitle: string;
  importSeriesIntro: string;
  saving: string;
  saved: string;
  cancel: string;
  close: string;
  remove: string;
  edit: string;
  open: string;
  tabs: {
    program: string;
    importExport: string;
    registration: string;
    staff: string;
    email: string;
    audit: string;
    stages: string;
  };
  consoleTabsLabel: string;
  backToEvents: string;

  // program editor
  rooms: string;
  roomName: string;
  roomKind: string;
  roomKinds: Record<'main_stage' | 'seminar' | 'press', string>;
  addRoom: string;
  sessions: string;
  newSession: string;
  editSession: string;
  day: string;
  startsAt: string;
  endsAt: string;
  room: string;
  kind: string;
  track: string;
  descriptionIn: (lang: string) => string;
  speakersField: string;
  speakersHint: string;
  cancelSession: string;
  restoreSession: string;
  deleteSession: string;
  confirmDelete: (title: string) => string;
  publishedVersion: (n: number) => string;
  publishNote: string;
  cancelled: string;
  noSessionsYet: string;
  versions: string;
  noVersions: string;
  versionLine: (n: number, when: string, by: string) => string;
  change: Record<SessionChange | 'removed', string>;
  actions: string;
  time: string;

  // import / export
  importTitle: string;
  importIntro: string;
  file: string;
  checkOnly: string;
  importButton: string;
  importDone: string;
  checkDone: string;
  importProblems: (n: number) => string;
  line: string;
  field: string;
  problem: string;
  exportTitle: string;
  downloadCsv: string;
  downloadJson: string;
  downloadIcal: string;

  // registration admin
  registrationSettings: string;
  opensAt: string;
  closesAt: string;
  inZone: (zone: string) => string;
  capacity: string;
  capacityHint: string;
  modes: string;
  modeNames: Record<Mode, string>;
  counts: string;
  registeredCount: (n: number) => string;
  waitlistedCount: (n: number) => string;
  registrations: string;
  noRegistrations: string;
  downloadRegistrations: string;
  name: string;
  organization: string;
  status: string;
  statusNames: Record<'registered' | 'waitlisted' | 'cancelled', string>;

  // staff
  staff: string;
  /** A role held on every event (not removable per event). */
  everyEvent: string;
  noStaff: string;
  inviteStaff: string;
  sendInvitation: string;
  invitationSent: (email: string) => string;
  pendingInvitations: string;
  noInvitations: string;
  expires: string;
  removeRole: (role: string, name: string) => string;
  invitationStates: Record<string, string>;

  // outbox
  outbox: string;
  outboxIntro: string;
  noMail: string;
  to: string;
  subject: string;
  created: string;
  mailStates: Record<string, string>;
  attempts: (n: number) => string;
  lastError: string;
  readMessage: string;

  // audit
  audit: string;
  noAudit: string;
  when: string;
  who: string;
  what: string;
  target: string;
  downloadAudit: string;

  // series
  series: string;
  noSeries: string;
  seriesEvents: string;
  date: string;
  responsibleCounty: string;
  coHostingCounty: string;
  newSeries: string;
  seriesId: string;

  // --- attendee side -----------------------------------------------------------------------------------
  registration: string;
  regStateText: Record<RegistrationState, string>;
  /** When registration opens: when is already formatted in the event's zone. */
  opensWhen: (when: string) => string;
  closesWhen: (when: string) => string;
  closedWhen: (when: string) => string;
  seatsLeft: (n: number) => string;
  waitlistNote: string;
  accessibility: string;
  accessibilityHint: string;
  mode: string;
  consent: string;
  consentText: string;
  registerButton: string;
  joinWaitlistButton: string;
  registering: string;
  required: string;
  invalidEmail: string;
  consentRequired: string;
  regErrors: Record<string, string>;
  confirmedTitle: string;
  confirmedText: (email: string) => string;
  waitlistedTitle: string;
  waitlistedText: (email: string) => string;
  alreadyRegistered: string;
  manageTitle: string;
  manageIntro: string;
  yourData: string;
  downloadData: string;
  cancelRegistration: string;
  confirmCancel: string;
  cancelledText: string;
  deleteData: string;
  confirmDeleteData: string;
  deletedText: string;
  manageInvalid: string;

  // program marks, now/next, calendar
  nowNext: string;
  now: string;
  next: string;
  nothingNow: string;
  sessionChange: Record<SessionChange, string>;
  /** The old time before a move, struck through: "was …". */
  wasAt: (when: string) => string;
  programUpdated: (n: number) => string;
  addToCalendar: string;
  addEventToCalendar: string;

  // registration against the real server (issue 16, i16-e2e-reg)
  /** State `full`: no seat left and no waiting list. */
  regFullText: string;
  /** A refused registration: the deadline passed; when is the closing time in the event's zone. */
  regClosedAt: (when: string) => string;
  /** A refused registration: not open yet; when is the opening time in the event's zone. */
  regNotOpenAt: (when: string) => string;
  regFullError: string;
  /** Seats left of one mode in a hybrid event. */
  seatsLeftIn: (mode: string, n: number) => string;
  waitlistSetting: string;
  remoteCapacity: string;
  /** The seats' label in a hybrid event (capacity is the hall's). */
  hallCapacity: string;
  remoteCapacityHint: string;
  consentVersion: string;
  consentVersionHint: string;
  cancelledCount: (n: number) => string;
  countsTotal: string;
  manageEvent: string;
  /** The consent text's version changed while the form was open: read and confirm again. */
  consentChanged: string;
}
