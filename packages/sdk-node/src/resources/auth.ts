import type { RequestOptions } from '../core.js';
import type { ChangePasswordParams, LoginParams, RefreshResponse, TokenResponse, User } from '../types.js';
import { Resource } from './resource.js';

/** `/api/v1/auth/*`: sign in with a password and manage the session. */
export class Auth extends Resource {
  /** `{ accessToken, refreshToken, tokenType, expiresIn, user }`; pass the access token to a client as `accessToken`. */
  login(params: LoginParams, options?: RequestOptions): Promise<TokenResponse> {
    return this.request('POST', '/api/v1/auth/login', { body: params, options });
  }

  /** A new token pair; the refresh token given is spent (using it again revokes its family). */
  refresh(refreshToken: string, options?: RequestOptions): Promise<RefreshResponse> {
    return this.request('POST', '/api/v1/auth/refresh', { body: { refreshToken }, options });
  }

  logout(refreshToken?: string, options?: RequestOptions): Promise<void> {
    return this.request('POST', '/api/v1/auth/logout', { body: refreshToken === undefined ? {} : { refreshToken }, options });
  }

  /** The signed-in user. */
  me(options?: RequestOptions): Promise<User> {
    return this.request('GET', '/api/v1/auth/me', { options });
  }

  changePassword(params: ChangePasswordParams, options?: RequestOptions): Promise<void> {
    return this.request('PUT', '/api/v1/auth/password', { body: params, options });
  }
}
