/**
 * provisionOnDemand's verdict. The service answers 200 even when provisioning failed; the verdict is
 * a `stringKeyStringValuePair` whose two strings are JSON documents (graph.md §6, CSDL L26229):
 *  - `key`: `{"result":"Success|Skipped|Failure","details":{"errorCode","errorMessage"}}`;
 *  - `value`: `{"provisioningSteps":[{name,type,status,description,details}],"statusInfo":{…},…}`.
 * A skip names its reason in a step's `details.SkipReason` (e.g. `RedundantExport`,
 * `NotEffectivelyEntitled`), in `statusInfo.reason`, or as the key's `errorCode`.
 */
import type { ProvisionVerdict } from '../../core/entra/ports.js';
import { redact } from '../../core/redact.js';
import { firstIssuePath, tryJson, unexpectedShape } from './errors.js';
import { verdictKeySchema, verdictValueSchema } from './schemas.js';

const WHAT = 'provisioning on demand';

/** Both strings parsed into the port's verdict; throws invalid_response when either is not JSON of the expected shape. */
export function parseProvisionVerdict(pair: {
  key?: string | null;
  value?: string | null;
}): ProvisionVerdict {
  const key = verdictKeySchema.safeParse(tryJson(pair.key ?? ''));
  if (!key.success) {
    throw unexpectedShape(WHAT, `key.${firstIssuePath(key.error)}`);
  }
  // `value` may be absent or empty for a verdict that never reached the engine.
  const rawValue = tryJson(pair.value ?? '') ?? {};
  const value = verdictValueSchema.safeParse(rawValue);
  if (!value.success) {
    throw unexpectedShape(WHAT, `value.${firstIssuePath(value.error)}`);
  }

  const steps = (value.data.provisioningSteps ?? []).map((s) => ({
    name: s.name ?? s.type ?? '',
    status: s.status ?? '',
    description: redact(s.description ?? ''),
  }));
  const skipReason = (value.data.provisioningSteps ?? [])
    .map((s) => s.details?.SkipReason)
    .find((r): r is string => typeof r === 'string' && r.trim() !== '');
  const { result, details } = key.data;
  const errorCode = details?.errorCode?.trim() ? details.errorCode.trim() : null;
  const reason =
    skipReason ??
    (value.data.statusInfo?.reason?.trim() ? value.data.statusInfo.reason.trim() : null) ??
    (result === 'Skipped' ? errorCode : null);
  return {
    result,
    errorCode,
    errorMessage: details?.errorMessage?.trim() ? redact(details.errorMessage.trim()) : null,
    steps,
    reason,
  };
}
