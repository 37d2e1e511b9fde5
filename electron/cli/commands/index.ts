import type { CommandSpec } from '../spec.js';
import { capture } from './capture.js';
import { dbtCheck, dbtEnable, dbtTokensCreate, dbtTokensDelete, dbtTokensList } from './dbt.js';
import { entraApply, entraPlan, entraVerify } from './entra.js';
import { oktaApply, oktaPlan, oktaVerify } from './okta.js';
import { profilesList } from './profiles.js';
import { report } from './report.js';
import { rotate } from './rotate.js';
import { status } from './status.js';

/** Every command the CLI has. `--help` lists exactly these: only commands that work. */
export const COMMANDS: readonly CommandSpec[] = [
  dbtCheck,
  dbtEnable,
  dbtTokensList,
  dbtTokensCreate,
  dbtTokensDelete,
  entraPlan,
  entraApply,
  entraVerify,
  oktaPlan,
  oktaApply,
  oktaVerify,
  rotate,
  report,
  status,
  profilesList,
  capture,
];
