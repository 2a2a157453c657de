/** Domain errors thrown by services. They know nothing of HTTP; http/problem.ts maps them to problem+json. */

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
  | 'precondition_failed'
  | 'unprocessable'
  | 'rate_limited';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. `username_taken`. */
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(path: string, message: string, code = 'validation_failed') {
    super('invalid', code, `${path}: ${message}`, [{ path, message }]);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, code = 'not_found') {
    super('not_found', code, `${what} was not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(field: string, message: string, code = `${field}_taken`) {
    super('conflict', code, message, [{ path: field, message }]);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication is required', code = 'unauthorized') {
    super('unauthorized', code, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to do this', code = 'forbidden') {
    super('forbidden', code, message);
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(message = 'The resource has changed since you read it (If-Match does not match its ETag)') {
    super('precondition_failed', 'precondition_failed', message);
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: string, message: string) {
    super('unprocessable', code, message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests',
    code = 'rate_limited',
  ) {
    super('rate_limited', code, message);
  }
}
