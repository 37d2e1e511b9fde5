/**
 * The shapes dbt answers in, as zod schemas. Every remote JSON value is parsed with one of these
 * before anything reads it: no `as T` casts of remote data.
 *
 * Admin API answers (v2 and v3) share one envelope:
 *   {"status": {"code", "is_success", "user_message", "developer_message"}, "data": …, "extra": …}
 * Objects are parsed loosely (unknown fields are kept and ignored) so that dbt adding a field never
 * breaks the wizard; a missing or mistyped field we rely on does.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// The Admin API envelope

export const envelopeStatusSchema = z
  .object({
    code: z.number().optional(),
    is_success: z.boolean().optional(),
    user_message: z.string().nullish(),
    developer_message: z.string().nullish(),
  })
  .loose();

/** `{status, data, extra?}` with `data` parsed by `data`. */
export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z
    .object({
      status: envelopeStatusSchema.optional(),
      data,
      extra: z
        .object({
          pagination: z
            .object({
              count: z.number().optional(),
              total_count: z.number().optional(),
            })
            .loose()
            .nullish(),
        })
        .loose()
        .nullish(),
    })
    .loose();
}

/** An error answer: only the status part matters (data is usually null). */
export const errorEnvelopeSchema = z.object({ status: envelopeStatusSchema }).loose();

// ---------------------------------------------------------------------------------------------
// Admin API objects

/** `GET /api/v2/accounts/{id}/` → data. */
export const accountSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    plan: z.string().nullish(),
    enterprise_authentication_method: z.string().nullish(),
    locked: z.boolean().nullish(),
  })
  .loose();

/** `GET|POST /api/v3/accounts/{id}/scim-config/` → data. */
export const scimConfigSchema = z
  .object({
    enabled: z.boolean(),
    manual_updates_allowed: z.boolean(),
    scim_controlled_license_type: z.boolean(),
  })
  .loose();

/** A SCIM token as listed or read: never with its value. */
export const scimTokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    created_at: z.string(),
    last_used: z.string().nullish(),
  })
  .loose();

/** `POST …/scim-config/tokens/` → data: the only answer that carries `token_string`. */
export const createdScimTokenSchema = scimTokenSchema.extend({ token_string: z.string().min(1) });

/** `type`: 1 = allow, 2 = deny. */
export const ipRuleSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    type: z.union([z.literal(1), z.literal(2)]),
    description: z.string().nullish(),
    cidrs: z.array(
      z
        .object({
          cidr: z.string().nullish(),
          cidr_ipv6: z.string().nullish(),
        })
        .loose(),
    ),
    rule_set_enabled: z.boolean(),
  })
  .loose();

export const groupSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
  })
  .loose();

/** `GET|POST /api/v3/accounts/{id}/license-maps/[{mid}/]` → data (the TF provider's `LicenseMap`). */
export const licenseMapSchema = z
  .object({
    id: z.number().int(),
    license_type: z.string(),
    sso_license_mapping_groups: z.array(z.string()).nullish(),
    state: z.number().int().nullish(),
  })
  .loose();

export const accountEnvelope = envelopeSchema(accountSchema);
export const scimConfigEnvelope = envelopeSchema(scimConfigSchema);
export const scimTokenEnvelope = envelopeSchema(scimTokenSchema);
export const scimTokenListEnvelope = envelopeSchema(z.array(scimTokenSchema));
export const createdScimTokenEnvelope = envelopeSchema(createdScimTokenSchema);
export const ipRuleEnvelope = envelopeSchema(ipRuleSchema);
export const ipRuleListEnvelope = envelopeSchema(z.array(ipRuleSchema));
export const groupListEnvelope = envelopeSchema(z.array(groupSchema));
export const licenseMapEnvelope = envelopeSchema(licenseMapSchema);
export const licenseMapListEnvelope = envelopeSchema(z.array(licenseMapSchema));

// ---------------------------------------------------------------------------------------------
// SCIM 2.0 (RFC 7644) messages, as much as the probe reads

export const SCIM_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_SERVICE_PROVIDER_CONFIG =
  'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

const schemasField = z.array(z.string());

export const scimListResponseSchema = z
  .object({
    schemas: schemasField.refine((s) => s.includes(SCIM_LIST_RESPONSE), {
      error: 'not a ListResponse',
    }),
    totalResults: z.number().int().nonnegative(),
  })
  .loose();

const supported = z.object({ supported: z.boolean() }).loose().optional();

export const scimServiceProviderConfigSchema = z
  .object({
    schemas: schemasField.optional(),
    patch: supported,
    filter: supported,
    bulk: supported,
  })
  .loose()
  .refine(
    (c) =>
      (c.schemas?.includes(SCIM_SERVICE_PROVIDER_CONFIG) ?? false) ||
      (c.patch !== undefined && c.filter !== undefined),
    { error: 'not a ServiceProviderConfig' },
  );

export const scimErrorSchema = z
  .object({
    schemas: schemasField.refine((s) => s.includes(SCIM_ERROR), { error: 'not a SCIM error' }),
    detail: z.string().nullish(),
    scimType: z.string().nullish(),
  })
  .loose();

/** Any JSON object that names SCIM schemas (a resource, a list, an error). */
export const scimMessageSchema = z.object({ schemas: schemasField }).loose();
