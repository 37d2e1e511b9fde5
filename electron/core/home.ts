/**
 * The data directory: `DBT_SCIM_WIZARD_HOME`, else the platform's per-user application-data
 * directory. It holds profiles, the journal, rotation history and (encrypted) secrets.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'dbt-scim-wizard';

export function resolveHome(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env.DBT_SCIM_WIZARD_HOME?.trim();
  if (override) {
    return override;
  }
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_DIR_NAME);
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
    case 'aix':
    case 'android':
    case 'cygwin':
    case 'freebsd':
    case 'haiku':
    case 'linux':
    case 'netbsd':
    case 'openbsd':
    case 'sunos':
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_DIR_NAME);
  }
}

export function homeLayout(home: string): {
  profiles: string;
  journal: string;
  secrets: string;
  logs: string;
} {
  return {
    profiles: join(home, 'profiles.json'),
    journal: join(home, 'journal'),
    secrets: join(home, 'secrets'),
    logs: join(home, 'logs'),
  };
}
