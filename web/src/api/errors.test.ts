import { describe, expect, it } from 'vitest';
import i18n from '@/i18n';
import { apiError } from '@/test/utils';
import { errorMessage, fieldMessages } from './errorMessages';
import { toApiError } from './errors';

const t = i18n.t.bind(i18n);

describe('API errors', () => {
  it('reads the error shape, field details (nested paths too) and Retry-After', async () => {
    const response = apiError(
      422,
      'validation_error',
      'Some fields are invalid.',
      [
        { field: 'email', message: 'value is not a valid email address', type: 'value_error' },
        { field: 'departments.0.role', message: 'Input should be member or supervisor', type: 'enum' },
        { field: 'password', message: 'String should have at least 8 characters', type: 'string_too_short' },
      ],
      { 'Retry-After': '7' },
    );
    const error = toApiError(await response.json(), response);
    expect(error).toMatchObject({ status: 422, code: 'validation_error', retryAfter: 7 });
    expect(Object.keys(error.fieldDetails)).toEqual(['email', 'departments', 'password']);
    expect(fieldMessages(t, error)).toEqual({
      email: 'Informe um e-mail válido.',
      departments: 'Input should be member or supervisor',
      password: 'A senha precisa de pelo menos 8 caracteres.',
    });
  });

  it('turns a network failure into a friendly message', () => {
    const error = toApiError(new TypeError('Failed to fetch'), undefined);
    expect(error.isNetwork).toBe(true);
    expect(errorMessage(t, error)).toBe('Sem conexão com o servidor. Verifique sua internet.');
  });

  it('falls back to the server message for unknown codes, and a generic one for 5xx', async () => {
    const conflict = apiError(409, 'department_in_use', 'The department has conversations.');
    expect(errorMessage(t, toApiError(await conflict.json(), conflict))).toBe('The department has conversations.');
    const crash = new Response('oops', { status: 500 });
    expect(errorMessage(t, toApiError('oops', crash))).toBe('O servidor teve um problema. Tente de novo em instantes.');
  });
});
