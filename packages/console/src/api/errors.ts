/** A failed API call, from the server's RFC 9457 problem+json body (or a network failure: status 0). */
export class ApiError extends Error {
  readonly status: number;
  /** The problem's machine-readable code (`validation_failed`, `console_forbidden`, …); `network_error` when no answer came. */
  readonly code: string;
  readonly detail: string;
  /** The request field the problem is about (`newPassword`, `email`), from the problem's `field` or its first `errors[].path`. */
  readonly field?: string;
  /** Every field problem the server listed, keyed by field name. */
  readonly fieldErrors: Record<string, string>;
  readonly requestId?: string;

  constructor(init: { status: number; code: string; detail: string; field?: string; fieldErrors?: Record<string, string>; requestId?: string }) {
    super(init.detail);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.field = init.field;
    this.fieldErrors = init.fieldErrors ?? {};
    this.requestId = init.requestId;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** `/newPassword`, `body/newPassword`, `newPassword` → `newPassword` (the last path segment). */
function fieldName(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return undefined;
  const parts = path.split(/[/.]/).filter(Boolean);
  return parts[parts.length - 1];
}

/** Builds an ApiError from a non-2xx response; the body need not be problem+json (a proxy's HTML page, nothing). */
export async function problemFrom(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const text = await response.text();
    if (text) body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  const fieldErrors: Record<string, string> = {};
  if (Array.isArray(body.errors)) {
    for (const e of body.errors as { path?: unknown; message?: unknown }[]) {
      const name = fieldName(e?.path);
      if (name && typeof e.message === 'string' && !(name in fieldErrors)) fieldErrors[name] = e.message;
    }
  }
  const field = fieldName(body.field) ?? Object.keys(fieldErrors)[0];
  return new ApiError({
    status: response.status,
    code: typeof body.code === 'string' ? body.code : `http_${response.status}`,
    detail: typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : response.statusText || `HTTP ${response.status}`,
    field,
    fieldErrors,
    requestId: typeof body.requestId === 'string' ? body.requestId : (response.headers.get('x-request-id') ?? undefined),
  });
}
