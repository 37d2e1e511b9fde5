/**
 * The SCIM half of the fake dbt: SCIMMY resources (Users, Groups) over in-memory stores, served by
 * scimmy-routers.
 *
 * SCIMMY keeps its declared resources and their handlers as process-global statics. The handlers
 * declared here hold no state of their own: each request passes its fake's stores as SCIMMY's
 * "context" (`ScimStores`), so every fake instance keeps its own users and groups, a second
 * `startFakeDbt` after `close()` works, and even two fakes at once keep their data apart. What
 * stays global is SCIMMY's config (ServiceProviderConfig) and the base path of `meta.location`,
 * which scimmy-routers sets on every request; both are the same for every fake.
 */
import type { Request } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export const DBT_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User';
export const LICENSE_TYPES = ['it', 'analyst', 'developer', 'read_only'] as const;

/** A user as the fake stores it: the SCIM resource without `schemas` and `meta`. */
export interface FakeScimUser {
  id: string;
  userName: string;
  active?: boolean;
  externalId?: string;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  emails?: { value: string; type?: string; primary?: boolean }[];
  /** Everything else the IdP sent (extensions such as the dbt license type), kept as sent. */
  [attribute: string]: unknown;
}

/** A dbt group: the Admin API lists it, SCIM reads and writes it. */
export interface FakeGroup {
  id: number;
  name: string;
  /** Created or taken over by SCIM. */
  scim_managed: boolean;
  assign_by_default: boolean;
  sso_mapping_groups: string[];
  /** SCIM user ids. */
  members: string[];
  created_at: string;
}

/** What one fake passes to the SCIMMY handlers with each request. */
export class ScimStores {
  constructor(
    /** Read on every access, so a test may replace `users` or `groups` wholesale. */
    private readonly source: {
      readonly users: Map<string, FakeScimUser>;
      readonly groups: FakeGroup[];
    },
    readonly nextId: () => number,
    readonly now: () => Date,
  ) {}

  get users(): Map<string, FakeScimUser> {
    return this.source.users;
  }

  get groups(): FakeGroup[] {
    return this.source.groups;
  }
}

/** A SCIM error for SCIMMY to answer with. */
function fail(status: number, detail: string, scimType?: string): Error {
  // SCIMMY omits `scimType` when it is undefined; its typings insist on a string.
  return new SCIMMY.Types.Error(status, scimType!, detail);
}

function stores(ctx: unknown): ScimStores {
  if (!(ctx instanceof ScimStores)) {
    throw fail(500, 'fake dbt: no stores for this request');
  }
  return ctx;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A SCIMMY schema instance (or any JSON-able value) as a plain object without shadow attributes. */
function plain(instance: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
  delete copy.schemas;
  delete copy.meta;
  delete copy.id;
  return copy;
}

let dbtExtension: SCIMMY.Types.SchemaDefinition | undefined;

/** The dbt license-type extension (`licenseType`: it, analyst, developer, read_only), made once. */
function licenseExtension(): SCIMMY.Types.SchemaDefinition {
  dbtExtension ??= new SCIMMY.Types.SchemaDefinition(
    'dbtLabsUser',
    DBT_USER_EXTENSION,
    'dbt Labs user extension',
    [
      new SCIMMY.Types.Attribute('string', 'licenseType', {
        canonicalValues: [...LICENSE_TYPES],
        description: 'The dbt license type of the user.',
      }),
    ],
  );
  return dbtExtension;
}

/** Declares Users and Groups with handlers that read the stores from the request's context. */
function declareResources(): void {
  // Extending twice with the same definition is a no-op in SCIMMY.
  SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
  SCIMMY.Resources.User.extend(licenseExtension() as unknown as typeof SCIMMY.Types.Schema, false);

  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance, ctx) => {
      const s = stores(ctx);
      const data = plain(instance);
      const userName = typeof data.userName === 'string' ? data.userName : '';
      if (!EMAIL.test(userName)) {
        // dbt matches users by email: a userName that is not one (Okta's internal id) is refused.
        throw fail(400, 'userName must be the user’s email address.', 'invalidValue');
      }
      for (const u of s.users.values()) {
        if (u.id !== resource.id && u.userName.toLowerCase() === userName.toLowerCase()) {
          throw fail(409, `A user with userName ${userName} already exists.`, 'uniqueness');
        }
      }
      let id = resource.id;
      if (id !== undefined && !s.users.has(id)) {
        throw fail(404, `User ${id} not found`);
      }
      id ??= String(s.nextId());
      const user: FakeScimUser = { ...data, id, userName };
      s.users.set(id, user);
      return user;
    })
    .egress((resource, ctx) => {
      const s = stores(ctx);
      if (resource.id !== undefined) {
        const user = s.users.get(resource.id);
        if (!user) {
          throw fail(404, `User ${resource.id} not found`);
        }
        return user;
      }
      const all = [...s.users.values()];
      const found: FakeScimUser[] = resource.filter
        ? (resource.filter.match(all) as FakeScimUser[])
        : all;
      return found;
    })
    .degress((resource, ctx) => {
      const s = stores(ctx);
      const id = resource.id ?? '';
      if (!s.users.delete(id)) {
        throw fail(404, `User ${id} not found`);
      }
      for (const g of s.groups) {
        g.members = g.members.filter((m) => m !== id);
      }
    });

  const toScimGroup = (s: ScimStores, g: FakeGroup): Record<string, unknown> => ({
    id: String(g.id),
    displayName: g.name,
    members: g.members.map((value) => ({
      value,
      ...(s.users.get(value) ? { display: s.users.get(value)?.userName } : {}),
      type: 'User',
    })),
  });

  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance, ctx) => {
      const s = stores(ctx);
      const data = plain(instance);
      const name = typeof data.displayName === 'string' ? data.displayName : '';
      const members = Array.isArray(data.members)
        ? data.members
            .map((m: unknown) =>
              m !== null && typeof m === 'object' && 'value' in m ? String(m.value) : '',
            )
            .filter((v) => v !== '')
        : [];
      const unknown = members.find((m) => !s.users.has(m));
      if (unknown !== undefined) {
        // dbt's wording when a pushed group holds someone who is not a licensed user of the account.
        throw fail(400, 'All users must have licenses on the account.', 'invalidValue');
      }
      const clash = s.groups.find(
        (g) => String(g.id) !== resource.id && g.name.toLowerCase() === name.toLowerCase(),
      );
      if (clash && resource.id !== undefined) {
        throw fail(409, `A group named ${name} already exists.`, 'uniqueness');
      }
      let group: FakeGroup | undefined;
      if (resource.id !== undefined) {
        group = s.groups.find((g) => String(g.id) === resource.id);
        if (!group) {
          throw fail(404, `Group ${resource.id} not found`);
        }
        group.name = name;
        group.members = members;
        group.scim_managed = true;
      } else if (clash) {
        // dbt matches groups by name: pushing a group that exists takes it over.
        if (clash.scim_managed) {
          throw fail(409, `A group named ${name} already exists.`, 'uniqueness');
        }
        group = clash;
        group.members = members;
        group.scim_managed = true;
      } else {
        group = {
          id: s.nextId(),
          name,
          scim_managed: true,
          assign_by_default: false,
          sso_mapping_groups: [],
          members,
          created_at: s.now().toISOString(),
        };
        s.groups.push(group);
      }
      return toScimGroup(s, group) as unknown as SCIMMY.Schemas.Group;
    })
    .egress((resource, ctx) => {
      const s = stores(ctx);
      if (resource.id !== undefined) {
        const group = s.groups.find((g) => String(g.id) === resource.id);
        if (!group) {
          throw fail(404, `Group ${resource.id} not found`);
        }
        return toScimGroup(s, group) as unknown as SCIMMY.Schemas.Group;
      }
      const all = s.groups.map((g) => toScimGroup(s, g));
      return (resource.filter ? resource.filter.match(all) : all) as SCIMMY.Schemas.Group[];
    })
    .degress((resource, ctx) => {
      const s = stores(ctx);
      const index = s.groups.findIndex((g) => String(g.id) === resource.id);
      if (index < 0) {
        throw fail(404, `Group ${resource.id ?? ''} not found`);
      }
      s.groups.splice(index, 1);
    });
}

export interface ScimRouterOptions {
  readonly stores: ScimStores;
  /** `Bearer` check: throws (→ 401 SCIM error) unless the token is good. */
  readonly authenticate: (req: Request) => string;
  /** The origin for `meta.location`, e.g. `http://127.0.0.1:5555`. */
  readonly origin: () => string;
}

/** The SCIM router of one fake. Re-declares the (stateless) handlers first. */
export function createScimRouter(options: ScimRouterOptions): SCIMMYRouters {
  declareResources();
  return new SCIMMYRouters({
    type: 'bearer',
    docUri: 'https://docs.getdbt.com/docs/cloud/manage-access/scim',
    handler: options.authenticate,
    context: () => options.stores,
    baseUri: options.origin,
  });
}

/** A SCIM error message body (RFC 7644 §3.12). */
export function scimError(status: number, detail: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
    detail,
  };
}
