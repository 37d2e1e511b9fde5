import type {
  DbtAccount,
  DbtAdminPort,
  DbtAuthProvider,
  DbtGroup,
  IpRule,
  LicenseMap,
  NewIpRule,
  NewLicenseMap,
  ScimConfig,
  ScimTokenInfo,
} from '../../electron/core/dbt/ports.js';
import { WizardError } from '../../electron/core/errors.js';

function publicToken(t: ScimTokenInfo & { value: string }): ScimTokenInfo {
  return { id: t.id, name: t.name, createdAt: t.createdAt, lastUsed: t.lastUsed };
}

/** An in-memory dbt Admin API for core step tests (the HTTP fake covers the wire). */
export class MemoryDbtAdmin implements DbtAdminPort {
  account: DbtAccount = {
    id: 1,
    name: 'Acme',
    plan: 'enterprise',
    ssoMethod: 'okta',
    locked: false,
  };
  config: ScimConfig = {
    enabled: false,
    manualUpdatesAllowed: true,
    scimControlledLicenseType: false,
  };
  tokens = new Map<number, ScimTokenInfo & { value: string }>();
  rules: IpRule[] = [];
  groups: DbtGroup[] = [];
  calls: string[] = [];
  /** Throws once on the named call, after (for create) or before the effect. */
  failOn: { call: string; after?: boolean } | undefined;
  private nextId = 100;

  private maybeFail(call: string, after: boolean): void {
    if (this.failOn?.call === call && Boolean(this.failOn.after) === after) {
      this.failOn = undefined;
      throw new Error(`injected failure in ${call}`);
    }
  }

  getAccount(): Promise<DbtAccount> {
    this.calls.push('getAccount');
    return Promise.resolve(this.account);
  }
  getScimConfig(): Promise<ScimConfig> {
    this.calls.push('getScimConfig');
    return Promise.resolve({ ...this.config });
  }
  setScimConfig(c: ScimConfig): Promise<ScimConfig> {
    this.calls.push('setScimConfig');
    this.maybeFail('setScimConfig', false);
    this.config = { ...c };
    return Promise.resolve({ ...c });
  }
  listScimTokens(): Promise<ScimTokenInfo[]> {
    this.calls.push('listScimTokens');
    return Promise.resolve([...this.tokens.values()].map(publicToken));
  }
  getScimToken(id: number): Promise<ScimTokenInfo | undefined> {
    this.calls.push('getScimToken');
    const t = this.tokens.get(id);
    if (!t) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve(publicToken(t));
  }
  createScimToken(name: string): Promise<{ token: ScimTokenInfo; value: string }> {
    this.calls.push('createScimToken');
    this.maybeFail('createScimToken', false);
    const token: ScimTokenInfo = {
      id: this.nextId++,
      name,
      createdAt: '2026-11-29T10:00:00Z',
      lastUsed: null,
    };
    const value = `scimvalue${token.id}abcdefghijklmnop`;
    this.tokens.set(token.id, { ...token, value });
    this.maybeFail('createScimToken', true);
    return Promise.resolve({ token, value });
  }
  deleteScimToken(id: number): Promise<void> {
    this.calls.push('deleteScimToken');
    this.tokens.delete(id);
    return Promise.resolve();
  }
  listIpRules(): Promise<IpRule[]> {
    this.calls.push('listIpRules');
    return Promise.resolve(this.rules.map((r) => ({ ...r })));
  }
  createIpRule(rule: NewIpRule): Promise<IpRule> {
    this.calls.push('createIpRule');
    const created: IpRule = {
      id: this.nextId++,
      name: rule.name,
      type: rule.type,
      cidrs: [...rule.cidrs],
      ruleSetEnabled: rule.ruleSetEnabled,
    };
    this.rules.push(created);
    return Promise.resolve(created);
  }
  listGroups(): Promise<DbtGroup[]> {
    return Promise.resolve(this.groups);
  }

  // License maps (appended for the License step)
  licenseMaps: LicenseMap[] = [];
  /** dbt's license types; a map with another one is refused as dbt does (400). */
  licenseTypes: readonly string[] = ['developer', 'read_only', 'it', 'analyst'];
  listLicenseMaps(): Promise<LicenseMap[]> {
    this.calls.push('listLicenseMaps');
    return Promise.resolve(this.licenseMaps.map((m) => ({ ...m, groups: [...m.groups] })));
  }
  private checkLicenseMap(map: NewLicenseMap): void {
    if (!this.licenseTypes.includes(map.licenseType)) {
      throw new WizardError('bad_input', `"${map.licenseType}" is not a valid choice.`, {
        remediation: '',
        status: 400,
      });
    }
  }
  createLicenseMap(map: NewLicenseMap): Promise<LicenseMap> {
    this.calls.push('createLicenseMap');
    this.maybeFail('createLicenseMap', false);
    this.checkLicenseMap(map);
    const created: LicenseMap = {
      id: this.nextId++,
      licenseType: map.licenseType,
      groups: [...map.groups],
    };
    this.licenseMaps.push(created);
    this.maybeFail('createLicenseMap', true);
    return Promise.resolve({ ...created });
  }
  updateLicenseMap(id: number, map: NewLicenseMap): Promise<LicenseMap> {
    this.calls.push('updateLicenseMap');
    this.checkLicenseMap(map);
    const index = this.licenseMaps.findIndex((m) => m.id === id);
    if (index < 0) {
      throw new WizardError('not_found', `license map ${id} not found`, {
        remediation: '',
        status: 404,
      });
    }
    const updated: LicenseMap = { id, licenseType: map.licenseType, groups: [...map.groups] };
    this.licenseMaps[index] = updated;
    return Promise.resolve({ ...updated });
  }
  deleteLicenseMap(id: number): Promise<void> {
    this.calls.push('deleteLicenseMap');
    this.licenseMaps = this.licenseMaps.filter((m) => m.id !== id);
    return Promise.resolve();
  } /** The SSO auth provider; undefined: dbt has none (404). */
  authProvider: DbtAuthProvider | undefined = undefined;
  getAuthProvider(): Promise<DbtAuthProvider | undefined> {
    this.calls.push('getAuthProvider');
    return Promise.resolve(this.authProvider ? { ...this.authProvider } : undefined);
  }
}
