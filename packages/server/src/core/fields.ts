import { Type, type SchemaOptions, type Static, type TOptionalWithFlag, type TProperties, type TSchema } from '@sinclair/typebox';

/** Field types shared by the features' schemas. */

/**
 * One of a fixed set of strings, as `{ type: 'string', enum }` rather than TypeBox's `anyOf` of literals:
 * validation errors list the allowed values, and fast-json-stringify serializes it without trying branches.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `T` or null, as `type: [T, 'null']` (JSON Schema 2020-12 / OpenAPI 3.1) rather than an `anyOf`. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type as string, 'null'], ...options });
}

export const IsoDateTime = Type.String({ format: 'date-time', maxLength: 40 });
export const NullableIsoDateTime = Nullable(IsoDateTime);

/** When a stored resource was created and last changed: the last fields of every such resource's schema. */
export const Timestamps = { createdAt: IsoDateTime, updatedAt: IsoDateTime };

/** A BCP-47 language tag such as `ko`, `en-US`, `zh-Hant-TW`. */
export const LANG_TAG = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$';
export const LangTag = Type.String({ pattern: LANG_TAG, maxLength: 35 });

export const Message = Type.String({ minLength: 1, maxLength: 2000 });

/** Per-language texts: `{ "ko": "…", "en": "…" }`. */
export const Messages = Type.Record(Type.String({ pattern: LANG_TAG }), Message, { additionalProperties: false, maxProperties: 50 });
export type MessagesMap = Static<typeof Messages>;

/** Free-form JSON object attached by operators, at most 16 KiB serialized. */
export const CustomPayload = Nullable(Type.Record(Type.String(), Type.Unknown()));
export const CUSTOM_PAYLOAD_MAX_BYTES = 16 * 1024;

/** Each of `fields`, optional: the fields a request body may leave out. */
export function OptionalFields<T extends TProperties>(fields: T) {
  return Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, Type.Optional(schema)])) as { [K in keyof T]: TOptionalWithFlag<T[K], true> };
}

/** The body of an update (PUT or PATCH): any of `fields` (the create body's, as a rule), at least one, nothing else. */
export function UpdateBody<T extends TProperties>(fields: T, options: SchemaOptions = {}) {
  return Type.Object(OptionalFields(fields), { additionalProperties: false, minProperties: 1, ...options });
}
