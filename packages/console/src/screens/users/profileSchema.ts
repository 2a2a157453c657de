import { z } from 'zod';
import { ROLES, STATUSES } from './model.ts';

/** The profile fields as the server takes them; messages are keys of users.json `form.error`. */
export const profileFields = {
  username: z
    .string()
    .trim()
    .min(3, 'usernameLength')
    .max(64, 'usernameLength')
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'usernameChars'),
  email: z.string().trim().max(254, 'email').email('email'),
  displayName: z.string().trim().max(128, 'displayNameLength'),
  role: z.enum(ROLES),
  status: z.enum(STATUSES),
};
