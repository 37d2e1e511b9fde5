import type { CommandSpec } from '../spec.js';
import { profilesList } from './profiles.js';

/** Every command the CLI has. `--help` lists exactly these: only commands that work. */
export const COMMANDS: readonly CommandSpec[] = [profilesList];
