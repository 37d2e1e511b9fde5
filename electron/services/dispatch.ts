/**
 * The dispatcher every face uses: parse the input as `unknown` with the contract, run the
 * handler, parse the output (which strips any field the contract does not list), and return
 * `{ok:true,value} | {ok:false,error:{code,message}}` with a redacted message. Thrown errors never
 * cross the boundary as exceptions (Electron would keep only their message).
 */
import type { z } from 'zod';
import { errorInfo } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { redact, redactDeep } from '../core/redact.js';
import type { Result } from '../ipc/api.js';
import { CHANNELS, type Channel } from '../ipc/channels.js';
import { contract, type Output, type ParsedInput } from '../ipc/contract.js';

/** Handlers may return read-only data: the output schema copies it on the way out anyway. */
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Handler<C extends Channel> = (
  input: ParsedInput<C>,
) => Promise<DeepReadonly<Output<C>>>;
export type HandlerTable = { readonly [C in Channel]: Handler<C> };

const KNOWN: ReadonlySet<string> = new Set(CHANNELS);

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && KNOWN.has(value);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
    .join('; ');
}

export async function dispatch(
  table: HandlerTable,
  channel: unknown,
  rawInput: unknown,
  log?: Logger,
): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'bad_input', message: 'Unknown operation.' } };
  }
  const spec = contract[channel];
  const parsed = spec.input.safeParse(rawInput);
  if (!parsed.success) {
    // Zod messages quote no input values, so nothing the renderer sent is echoed back.
    return {
      ok: false,
      error: {
        code: 'bad_input',
        message: redact(`Invalid input for ${channel}: ${describeIssues(parsed.error)}.`),
      },
    };
  }
  try {
    const handler = table[channel] as (input: unknown) => Promise<unknown>;
    const value: unknown = await handler(parsed.data);
    const out = spec.output.safeParse(value);
    if (!out.success) {
      log?.error(`handler output does not match the contract`, {
        channel,
        issues: describeIssues(out.error),
      });
      return {
        ok: false,
        error: {
          code: 'internal',
          message: 'The app produced an unexpected answer. Please report it.',
        },
      };
    }
    // Replies pass the redaction sink too: a registered secret never crosses the boundary.
    return { ok: true, value: redactDeep(out.data) };
  } catch (e) {
    const info = errorInfo(e);
    log?.warn(`${channel} failed`, { code: info.code, message: info.message });
    return { ok: false, error: info };
  }
}
