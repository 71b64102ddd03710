import type { Messages } from '../i18n';
import type { ChatErrorCode } from '../i18n/messages';
import type { QaErrorCode } from '../i18n/qa-messages';
import type { ChatError } from '../ws';

/** The translated text of an error code; rate_limited says when the message goes out. */
export function chatErrorText(t: Messages, e: ChatError, maxChars = 1000): string {
  if (e.code === 'rate_limited') return t.rateLimited(Math.max(1, Math.ceil((e.retryAfterMs ?? 1000) / 1000)));
  if (e.code === 'text_too_long') return t.textTooLong(maxChars);
  // Moderation (issue 17): slow mode says when the post goes out; a mute may say until when.
  if (e.code === 'slow_mode') return t.qa.slowModeWait(Math.max(1, Math.ceil((e.retryAfterMs ?? 1000) / 1000)));
  if (e.code in t.qa.errors) return t.qa.errors[e.code as QaErrorCode];
  if (isGuestNameError(e.code)) return t.guestNameErrors[e.code];
  if (e.code in t.chatErrors) return t.chatErrors[e.code as ChatErrorCode];
  return t.chatErrorOther(e.code);
}

/** A guest's hello refused for its name: the name field is what to change. */
export function isGuestNameError(code: string): code is 'name_taken' | 'name_reserved' {
  return code === 'name_taken' || code === 'name_reserved';
}

/** Codes with which the server refuses a token (docs/protocol.md, hello). */
export function isTokenError(code: string): boolean {
  return code.startsWith('token_');
}
