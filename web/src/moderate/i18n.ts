// The moderator console's and projector's catalogs by language (i18n/mod-*.ts). Kept apart from
// the attendee's catalogs: these pages are separate chunks.
import type { Lang } from '../i18n';
import { modEn } from '../i18n/mod-en';
import { modFi } from '../i18n/mod-fi';
import { modSv, type ModMessages } from '../i18n/mod-sv';

export type { ModMessages };
export const modCatalogs: Record<Lang, ModMessages> = { sv: modSv, en: modEn, fi: modFi };
