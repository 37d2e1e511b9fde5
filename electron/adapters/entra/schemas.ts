/**
 * The shapes Microsoft Graph answers in, as zod schemas. Every remote JSON value is parsed with one
 * of these before anything reads it: no `as T` casts of remote data.
 *
 * Objects are parsed loosely (unknown fields are kept and ignored), so Graph adding a property never
 * breaks the wizard; a missing or mistyped property we rely on does. The synchronization schema is
 * the exception on purpose: it is validated only as a JSON object and handed on raw, because it is
 * PUT back whole and a typed model would drop fields the service needs.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Errors: {"error":{"code","message","innerError":{"request-id","date","client-request-id"}}}

export const graphErrorEnvelopeSchema = z
  .object({
    error: z
      .object({
        code: z.string().nullish(),
        message: z.string().nullish(),
        innerError: z
          .object({
            'request-id': z.string().nullish(),
            'client-request-id': z.string().nullish(),
            date: z.string().nullish(),
          })
          .loose()
          .nullish(),
      })
      .loose(),
  })
  .loose();

/** A message that is itself JSON, as syncfabric nests it: `{"Message":"No HTTP resource…"}`. */
export const nestedMessageSchema = z
  .object({ Message: z.string().optional(), message: z.string().optional() })
  .loose();

// ---------------------------------------------------------------------------------------------
// Collections

/** `{value: [...], "@odata.nextLink"?}`. */
export function collectionSchema<T extends z.ZodType>(item: T) {
  return z
    .object({
      value: z.array(item),
      '@odata.nextLink': z.string().nullish(),
    })
    .loose();
}

// ---------------------------------------------------------------------------------------------
// Directory objects

export const appRoleSchema = z
  .object({
    id: z.string().min(1),
    value: z.string().nullish(),
    displayName: z.string().nullish(),
    allowedMemberTypes: z.array(z.string()).nullish(),
    isEnabled: z.boolean().nullish(),
  })
  .loose();

export const servicePrincipalSchema = z
  .object({
    id: z.string().min(1),
    appId: z.string().min(1),
    displayName: z.string().nullish(),
    applicationTemplateId: z.string().nullish(),
    appRoles: z.array(appRoleSchema).nullish(),
  })
  .loose();

export const applicationSchema = z
  .object({
    id: z.string().min(1),
    appId: z.string().min(1),
    displayName: z.string().nullish(),
    applicationTemplateId: z.string().nullish(),
  })
  .loose();

/** `POST /applicationTemplates/{id}/instantiate` → applicationServicePrincipal. */
export const applicationServicePrincipalSchema = z
  .object({
    application: applicationSchema,
    servicePrincipal: servicePrincipalSchema,
  })
  .loose();

export const userSchema = z
  .object({
    id: z.string().min(1),
    userPrincipalName: z.string().min(1),
    displayName: z.string().nullish(),
  })
  .loose();

export const appRoleAssignmentSchema = z
  .object({
    id: z.string().min(1),
    principalId: z.string().min(1),
    appRoleId: z.string().min(1),
  })
  .loose();

// ---------------------------------------------------------------------------------------------
// Synchronization

export const synchronizationTemplateSchema = z
  .object({
    id: z.string().min(1),
    factoryTag: z.string().nullish(),
  })
  .loose();

const syncErrorSchema = z
  .object({
    code: z.string().nullish(),
    message: z.string().nullish(),
  })
  .loose();

const quarantineSchema = z
  .object({
    reason: z.string().nullish(),
    currentBegan: z.string().nullish(),
    nextAttempt: z.string().nullish(),
    seriesBegan: z.string().nullish(),
    seriesCount: z.number().nullish(),
    error: syncErrorSchema.nullish(),
  })
  .loose();

const executionSchema = z
  .object({
    state: z.string().nullish(),
    timeBegan: z.string().nullish(),
    timeEnded: z.string().nullish(),
    error: syncErrorSchema.nullish(),
    countImported: z.number().nullish(),
    countExported: z.number().nullish(),
    countEscrowed: z.number().nullish(),
  })
  .loose();

export const synchronizationJobSchema = z
  .object({
    id: z.string().min(1),
    templateId: z.string().nullish(),
    schedule: z.object({ state: z.string().nullish() }).loose().nullish(),
    status: z
      .object({
        code: z.string().nullish(),
        quarantine: quarantineSchema.nullish(),
        lastExecution: executionSchema.nullish(),
        lastSuccessfulExecution: executionSchema.nullish(),
        steadyStateFirstAchievedTime: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export type SynchronizationJobJson = z.output<typeof synchronizationJobSchema>;

export const secretSchema = z
  .object({
    key: z.string().min(1),
    value: z.string().nullish(),
  })
  .loose();

/** Any JSON object: the synchronization schema and parsed expressions stay raw. */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

export const parseExpressionResponseSchema = z
  .object({
    parsingSucceeded: z.boolean(),
    parsedExpression: jsonObjectSchema.nullish(),
    error: z
      .object({ code: z.string().nullish(), message: z.string().nullish() })
      .loose()
      .nullish(),
  })
  .loose();

// ---------------------------------------------------------------------------------------------
// provisionOnDemand: a stringKeyStringValuePair whose two strings are JSON documents

export const stringKeyStringValuePairSchema = z
  .object({
    key: z.string().nullish(),
    value: z.string().nullish(),
  })
  .loose();

/** The `key` string, parsed: `{"result":"Success|Skipped|Failure","details":{errorCode,errorMessage}}`. */
export const verdictKeySchema = z
  .object({
    result: z.string().min(1),
    details: z
      .object({
        errorCode: z.string().nullish(),
        errorMessage: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

const provisioningStepSchema = z
  .object({
    name: z.string().nullish(),
    type: z.string().nullish(),
    status: z.string().nullish(),
    description: z.string().nullish(),
    details: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();

/** The `value` string, parsed: the trip of the object through the engine. */
export const verdictValueSchema = z
  .object({
    provisioningSteps: z.array(provisioningStepSchema).nullish(),
    statusInfo: z
      .object({
        status: z.string().nullish(),
        errorCode: z.string().nullish(),
        reason: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
