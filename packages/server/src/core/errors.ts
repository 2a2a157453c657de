/** Domain errors thrown by services. They know nothing of HTTP; http/problem.ts maps them to problem+json. */
import type { ProblemCode } from './problem-codes.ts';

export interface FieldError {
  path: string;
  message: string;
}

export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'unprocessable'
  | 'rate_limited';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. `username_taken`. */
    readonly code: ProblemCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(path: string, message: string, code: ProblemCode = 'validation_failed') {
    super('invalid', code, `${path}: ${message}`, [{ path, message }]);
  }
}

/** How many invalid fields one answer lists; past that, the detail counts the rest. */
export const MAX_FIELD_ERRORS = 20;

/** A 400 naming every invalid field of a request at once (the first MAX_FIELD_ERRORS of them). */
export function invalidFields(errors: FieldError[]): DomainError {
  const listed = errors.slice(0, MAX_FIELD_ERRORS);
  const more = errors.length - listed.length;
  const detail = listed.map((e) => `${e.path} ${e.message}`).join('; ') + (more > 0 ? `; and ${more} more` : '');
  return new DomainError('invalid', 'validation_failed', detail, listed);
}

export class NotFoundError extends DomainError {
  constructor(what: string, code: ProblemCode = 'not_found') {
    super('not_found', code, `${what} was not found`);
  }
}

/** The fields a unique index protects (db/dialect.ts); a clash on one is `<field>_taken`. */
export type UniqueField = 'username' | 'email' | 'key' | 'worldId' | 'value' | 'version' | 'id';

export class ConflictError extends DomainError {
  constructor(field: UniqueField, message: string, code: ProblemCode = `${field}_taken` as const) {
    super('conflict', code, message, [{ path: field, message }]);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication is required', code: ProblemCode = 'unauthorized') {
    super('unauthorized', code, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to do this', code: ProblemCode = 'forbidden') {
    super('forbidden', code, message);
  }
}

export class GoneError extends DomainError {
  constructor(code: ProblemCode, message: string) {
    super('gone', code, message);
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(message = 'The resource has changed since you read it (If-Match does not match its ETag)') {
    super('precondition_failed', 'precondition_failed', message);
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: ProblemCode, message: string) {
    super('unprocessable', code, message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests',
    code: ProblemCode = 'rate_limited',
  ) {
    super('rate_limited', code, message);
  }
}
