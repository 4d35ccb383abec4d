/** API errors in the user's language. The server's messages are English; known codes and
 *  validation kinds get a translation, anything else shows the server's text. */
import type { TFunction } from 'i18next';
import { toast } from '@/components/ui/toast';
import { isApiError, type FieldError } from './errors';

export function errorMessage(t: TFunction, error: unknown): string {
  if (!isApiError(error)) return t('errors.unexpected');
  if (error.isNetwork) return t('errors.network');
  if (error.status === 429) {
    const seconds = error.retryAfter;
    if (!seconds) return t('errors.rateLimited');
    return seconds >= 60
      ? t('errors.rateLimitedMinutes', { count: Math.ceil(seconds / 60) })
      : t('errors.rateLimitedSeconds', { count: seconds });
  }
  switch (error.code) {
    case 'invalid_credentials':
      return t('errors.invalidCredentials');
    case 'email_taken':
      return t('errors.emailTaken');
    case 'last_admin':
      return t('errors.lastAdmin');
    case 'self_demotion':
      return t('errors.selfDemotion');
    case 'session_expired':
    case 'no_refresh_token':
      return t('errors.sessionExpired');
    case 'validation_error':
      return t('errors.validation');
    case 'forbidden':
      return t('errors.forbidden');
    case 'not_found':
      return t('errors.notFound');
  }
  if (error.status >= 500) return t('errors.server');
  return error.message;
}

export function fieldMessage(t: TFunction, detail: FieldError | undefined): string | undefined {
  if (!detail) return undefined;
  switch (detail.type) {
    case 'missing':
      return t('validation.required');
    case 'string_too_short':
      return detail.field === 'password' ? t('validation.passwordTooShort') : t('validation.tooShort');
    case 'string_too_long':
      return t('validation.tooLong');
    case 'string_pattern_mismatch':
      return t('validation.pattern');
    case 'greater_than_equal':
    case 'less_than_equal':
    case 'greater_than':
    case 'less_than':
      return t('validation.range');
    case 'int_parsing':
    case 'int_type':
      return t('validation.integer');
  }
  if (detail.field === 'email' && detail.type === 'value_error') return t('validation.email');
  if (detail.message === 'already registered') return t('errors.emailTaken');
  return detail.message;
}

/** Messages for each field of a form, translated. */
export function fieldMessages(t: TFunction, error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const out: Record<string, string> = {};
  for (const [field, detail] of Object.entries(error.fieldDetails)) {
    out[field] = fieldMessage(t, detail) ?? detail.message;
  }
  return out;
}

export function toastError(t: TFunction, error: unknown, title?: string): void {
  const message = errorMessage(t, error);
  if (title) toast.error(title, message);
  else toast.error(message);
}
