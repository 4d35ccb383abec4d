/** The API's one error shape, `{"error": {"code", "message", "details": [{field, message}]}}`,
 *  as an Error the UI can show: a message for a toast and messages per form field. */

/** `type` is the validator's kind (missing, string_too_short, value_error, …) when known. */
export type FieldError = { field: string; message: string; type?: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[];
  /** Seconds to wait, from Retry-After on a 429. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    details: FieldError[] = [],
    retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  /** The first error of each top-level form field ("email", "departments", …); a nested
   *  path such as "departments.0.role" counts for its top-level field. */
  get fieldDetails(): Record<string, FieldError> {
    const out: Record<string, FieldError> = {};
    for (const detail of this.details) {
      const field = detail.field.split('.')[0] ?? '';
      if (field && !(field in out)) out[field] = detail;
    }
    return out;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseDetails(raw: unknown): FieldError[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((item) => ({
    field: typeof item.field === 'string' ? item.field : '',
    message: typeof item.message === 'string' ? item.message : String(item.message ?? ''),
    type: typeof item.type === 'string' ? item.type : undefined,
  }));
}

/** Build an ApiError from a parsed body (or text) and its response. */
export function toApiError(body: unknown, response: Response | undefined): ApiError {
  if (!response) {
    const message = body instanceof Error ? body.message : 'Network error';
    return new ApiError(0, 'network_error', message);
  }
  const retryHeader = response.headers.get('Retry-After');
  const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  if (error) {
    return new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : 'error',
      typeof error.message === 'string' ? error.message : response.statusText,
      parseDetails(error.details),
      retryAfter,
    );
  }
  return new ApiError(response.status, 'http_' + response.status, response.statusText, [], retryAfter);
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
