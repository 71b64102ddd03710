import type { Messages } from '../i18n';
import type { ChatErrorCode } from '../i18n/messages';
import type { ChatError } from '../ws';

/** The translated text of an error code; rate_limited says when the message goes out. */
export function chatErrorText(t: Messages, e: ChatError, maxChars = 1000): string {
  if (e.code === 'rate_limited') return t.rateLimited(Math.max(1, Math.ceil((e.retryAfterMs ?? 1000) / 1000)));
  if (e.code === 'text_too_long') return t.textTooLong(maxChars);
  if (e.code in t.chatErrors) return t.chatErrors[e.code as ChatErrorCode];
  return t.chatErrorOther(e.code);
}
