/**
 * The shapes the Okta Management API answers in, as zod schemas. Every answer is parsed with one of
 * these before anything reads it: what the port returns comes from the JSON on the wire, never from
 * the SDK's models (they drop fields such as a group's `source`, turn a string `features` into an
 * array of characters and an HTML page into an empty `Application`; see transport.ts).
 *
 * Objects are parsed loosely (unknown fields are kept and ignored), so Okta adding a property never
 * breaks the wizard; a missing or mistyped property we rely on does. The app user schema is only
 * checked to be a JSON object: it is handed on raw, because the port speaks Okta's JSON.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Errors: {"errorCode","errorSummary","errorLink","errorId","errorCauses":[{"errorSummary"}]}

export const oktaErrorSchema = z
  .object({
    errorCode: z.string().nullish(),
    errorSummary: z.string().nullish(),
    errorLink: z.string().nullish(),
    errorId: z.string().nullish(),
    errorCauses: z
      .array(z.object({ errorSummary: z.string().nullish() }).loose())
      .nullish()
      .catch(null),
  })
  .loose();

/** OAuth-style errors (`/oauth2/v1/...` answers `{"error","error_description"}`). */
export const oauthErrorSchema = z
  .object({
    error: z.string(),
    error_description: z.string().nullish(),
  })
  .loose();

/** Any JSON object: the app user schema and the app itself (for a full replace) stay raw. */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

// ---------------------------------------------------------------------------------------------
// Apps

export const userNameTemplateSchema = z
  .object({
    template: z.string().nullish(),
    type: z.string().nullish(),
  })
  .loose();

export const appSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().nullish(),
    label: z.string().nullish(),
    signOnMode: z.string().nullish(),
    status: z.string().nullish(),
    features: z.array(z.string()).nullish(),
    lastUpdated: z.string().nullish(),
    credentials: z.object({ userNameTemplate: userNameTemplateSchema.nullish() }).loose().nullish(),
  })
  .loose();
export type AppJson = z.output<typeof appSchema>;

/** `GET /api/v1/apps/{id}/connections/default`. */
export const connectionSchema = z
  .object({
    status: z.string().min(1),
    authScheme: z.string().nullish(),
    baseUrl: z.string().nullish(),
    profile: z.object({ authScheme: z.string().nullish() }).loose().nullish(),
  })
  .loose();

// ---------------------------------------------------------------------------------------------
// Groups and group push

const linkSchema = z.object({ href: z.string().nullish() }).loose();

export const groupSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().nullish(),
    profile: z.object({ name: z.string() }).loose(),
    /** Some answers name the app an APP_GROUP came from here … */
    source: z.object({ id: z.string().nullish() }).loose().nullish(),
    /** … `expand=app` embeds it … */
    _embedded: z
      .object({ app: z.object({ id: z.string().nullish() }).loose().nullish() })
      .loose()
      .nullish(),
    /** … and the documented place is a link to `/api/v1/apps/{id}`. */
    _links: z.object({ source: linkSchema.nullish() }).loose().nullish(),
  })
  .loose();
export type GroupJson = z.output<typeof groupSchema>;

export const groupPushMappingSchema = z
  .object({
    id: z.string().min(1),
    sourceGroupId: z.string().min(1),
    targetGroupId: z.string().nullish(),
    status: z.string().min(1),
    errorSummary: z.string().nullish(),
    lastPush: z.string().nullish(),
  })
  .loose();

// ---------------------------------------------------------------------------------------------
// Users, app users, roles

export const userSchema = z
  .object({
    id: z.string().min(1),
    status: z.string().nullish(),
    profile: z
      .object({
        login: z.string().min(1),
        email: z.string().nullish(),
      })
      .loose(),
  })
  .loose();

export const appUserSchema = z
  .object({
    id: z.string().min(1),
    scope: z.string().nullish(),
    status: z.string().nullish(),
    syncState: z.string().nullish(),
    credentials: z.object({ userName: z.string().nullish() }).loose().nullish(),
    profile: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();

export const roleSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    label: z.string().nullish(),
  })
  .loose();

// ---------------------------------------------------------------------------------------------
// System Log

export const logEventSchema = z
  .object({
    uuid: z.string().min(1),
    eventType: z.string().min(1),
    published: z.string().min(1),
    displayMessage: z.string().nullish(),
    outcome: z
      .object({
        result: z.string().nullish(),
        reason: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

// ---------------------------------------------------------------------------------------------
// Profile mappings (`/api/v1/mappings`)

const mappingEndSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().nullish(),
    type: z.string().nullish(),
  })
  .loose();

/** An item of `GET /api/v1/mappings` (no properties) or `GET|POST /api/v1/mappings/{id}`. */
export const profileMappingSchema = z
  .object({
    id: z.string().min(1),
    source: mappingEndSchema,
    target: mappingEndSchema,
    properties: z
      .record(
        z.string(),
        z
          .object({
            expression: z.string().nullish(),
            pushStatus: z.string().nullish(),
          })
          .loose()
          .nullable(),
      )
      .nullish(),
  })
  .loose();
export const profileMappingListSchema = z.array(profileMappingSchema);
