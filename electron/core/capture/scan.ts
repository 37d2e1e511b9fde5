/**
 * The last guard before a capture is written: every file (name and content) is scanned for what
 * still looks like a credential, for the secret values known to the run, and for the secrets the
 * process registered with the redaction sink. Anything found refuses the whole capture.
 */
import { redact } from '../redact.js';
import { holdsShape, SECRET_PLACEHOLDER, TOKEN_SHAPES } from './rules.js';

export interface CaptureFile {
  readonly name: string;
  readonly text: string;
}

/** Where something was found and what it looks like; never the value. */
export interface Leak {
  readonly file: string;
  readonly what: string;
}

function strings(value: unknown, out: string[], depth = 0): void {
  if (depth > 64) {
    return;
  }
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) {
      strings(v, out, depth + 1);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out, depth + 1);
    }
  }
}

/** The strings of a file: each JSON string (keys too) of a JSON file, else each line. */
function pieces(file: CaptureFile): string[] {
  if (file.name.endsWith('.json')) {
    try {
      const out: string[] = [];
      strings(JSON.parse(file.text) as unknown, out);
      return out;
    } catch {
      // Not JSON after all: line by line.
    }
  }
  return file.text.split('\n');
}

export function findLeaks(
  files: readonly CaptureFile[],
  knownSecrets: readonly string[] = [],
): Leak[] {
  const leaks: Leak[] = [];
  const known = knownSecrets
    .map((s) => s.trim())
    .filter((s) => s.length >= 6)
    .flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]);
  for (const file of files) {
    for (const [where, text] of [
      ['name', file.name],
      ['content', file.text],
    ] as const) {
      for (const shape of TOKEN_SHAPES) {
        if (holdsShape(text, shape)) {
          leaks.push({ file: file.name, what: `${shape.name} in its ${where}` });
        }
      }
      if (known.some((s) => text.includes(s))) {
        leaks.push({ file: file.name, what: `a secret value of this run in its ${where}` });
      }
    }
    // The process-wide sink knows the secrets registered at run time (and token shapes again).
    const flagged = [file.name, ...pieces(file)].some((piece) => {
      const bare = piece.split(SECRET_PLACEHOLDER).join('');
      return redact(bare) !== bare;
    });
    if (flagged) {
      leaks.push({ file: file.name, what: 'a value the redaction sink would blank' });
    }
  }
  return leaks;
}
