import type { TFunction } from 'i18next';
import { fieldMessage } from '@/api/errorMessages';
import { isApiError } from '@/api/errors';

/** The API's field errors by their full path ("bot.greeting", "config.base_url"), for forms
 *  whose fields are nested objects (ApiError.fieldDetails keeps only the top-level name). */
export function errorsByPath(t: TFunction, error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const out: Record<string, string> = {};
  for (const detail of error.details) {
    if (detail.field && !(detail.field in out)) out[detail.field] = fieldMessage(t, detail) ?? detail.message;
  }
  return out;
}
