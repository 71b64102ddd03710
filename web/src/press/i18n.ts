// The press pages' catalogs by language (i18n/press-*.ts). Kept apart from the attendee's
// catalogs: these pages are separate chunks.
import type { Lang } from '../i18n';
import { pressEn } from '../i18n/press-en';
import { pressFi } from '../i18n/press-fi';
import { pressSv, type PressMessages } from '../i18n/press-sv';

export type { PressMessages };
export const pressCatalogs: Record<Lang, PressMessages> = { sv: pressSv, en: pressEn, fi: pressFi };
