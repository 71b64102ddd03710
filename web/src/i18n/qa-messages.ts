// The attendee's Q&A and poll texts (issue 17), and the chat's moderation notices. Kept apart
// from messages.ts so that the moderator console's catalog (mod-*.ts) can grow beside it.

export interface QaMessages {
  /** The tab and panel headings. */
  questions: string;
  polls: string;
  qaAndPolls: string;
  /** Screen-reader heading for a room's Q&A: "Frågor – Stora salen". */
  questionsIn: (room: string) => string;
  pollsIn: (room: string) => string;

  askLabel: string;
  askPlaceholder: string;
  askSubmit: string;
  asking: string;
  anonymous: string;
  anonymousHint: string;
  charsLeft: (n: number) => string;
  charsOver: (n: number) => string;
  premoderatedNote: string;
  askedPending: string;
  askedPublished: string;

  sortLabel: string;
  sortVotes: string;
  sortTime: string;
  nowAnswering: string;
  answered: string;
  answeredHeading: string;
  noQuestions: string;
  /**
   * The rest of the vote button's name after its visible count ("3" + " röster – rösta på
   * frågan: …"); aria-pressed says whether it is on.
   */
  voteName: (n: number, question: string) => string;
  votes: (n: number) => string;
  fromHall: string;
  press: string;
  anonymousAuthor: string;
  /** On one's own anonymous question (the asker sees their name; the audience does not). */
  anonymousToAudience: string;
  edited: string;
  you: string;
  myQuestionsHeading: string;
  statusPending: string;
  statusRejected: string;
  rejectedReason: (reason: string) => string;

  signInToTakePart: string;
  signInButton: string;
  chooseRoom: string;
  loading: string;

  pollSingle: string;
  pollMultiple: string;
  pollVote: string;
  pollChange: string;
  pollWithdraw: string;
  pollVoted: string;
  pollClosed: string;
  pollOpen: string;
  pollResultsHidden: string;
  pollVoters: (n: number) => string;
  pollOptionResult: (option: string, percent: number, votes: number) => string;
  noPolls: string;
  /** The view tab's count of open polls not seen yet. */
  newPolls: (n: number) => string;

  /** Composer notices from moderation. */
  slowMode: (seconds: number) => string;
  locked: string;
  mutedUntil: (time: string) => string;
  muted: string;
  heldNote: string;
  messageHeld: string;

  /** Error codes of the Q&A requests and of posts under moderation (docs/protocol.md). */
  errors: Record<QaErrorCode, string>;
  /** `unavailable` for a Q&A request (the chat's text speaks of messages). */
  unavailable: string;
  questionTooLong: (max: number) => string;
  slowModeWait: (seconds: number) => string;
}

export type QaErrorCode =
  | 'already_voted'
  | 'not_voted'
  | 'question_closed'
  | 'no_such_question'
  | 'wrong_room'
  | 'poll_closed'
  | 'no_such_poll'
  | 'bad_choice'
  | 'muted'
  | 'banned'
  | 'room_locked'
  | 'kiosk_revoked';
