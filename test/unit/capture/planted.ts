/**
 * A planted capture: realistic Okta, Microsoft Graph and dbt answers holding distinctive tokens,
 * e-mails, names, ids and org hosts, and the list of every planted value a redacted capture must
 * not contain anywhere.
 */
import type { CapturedExchange } from '../../../electron/core/capture/exchange.js';

export const OKTA_HOST = 'acmeplanted.okta.com';
export const DBT_HOST = 'zq981.us1.dbt.com';
export const TENANT_DOMAIN = 'acmeplanted.onmicrosoft.com';

export const TOKENS = {
  dbtApi: 'dbtc_PLANTEDadminServiceToken8f7e6d5c4b3a',
  dbtScim: 'dbtu_PLANTEDscimToken0a1b2c3d4e5f',
  /** An Okta API token: `00` and 40 more. */
  okta: '00PLANTEDoktaApiToken0123456789abcdefGHIJK',
  graph:
    'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJQTEFOVEVEIjoiZ3JhcGgifQ.PLANTEDsignatureOfTheGraphToken',
  entraSecret: 'PLANTEDentraSecretTokenValue9f8e7d6c5b4a',
  clientSecret: 'PLANTEDclientSecretValue77x',
  jwkModulus: 'PLANTEDmodulus_0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4',
  cookie: 'PLANTEDsessionCookie123',
  keyCredential: 'MIIPLANTEDcertificateBase64QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789',
} as const;

export const IDS = {
  oktaUser: '00u1plantedUser0a1b2',
  oktaApp: '0oa1plantedAppZ9y8x7',
  oktaGroup: '00g1plantedGroupQ5w4',
  oktaAppLink: 'aln1plantedLinkQ2w3e',
  spId: 'd3b07384-d113-4ec6-a3f1-1c4a9e2b7f10',
  appId: 'a1f2e3d4-c5b6-4a79-8b8c-9d0e1f2a3b4c',
  tenant: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f',
  scimUser: 'e7a1c2d3-b4f5-4061-9728-3a4b5c6d7e80',
  accountId: 73519,
  tokenId: 48213,
  creatorId: 90211,
} as const;

export const PEOPLE = {
  janeEmail: 'jane.planted@acme-planted.example.com',
  johnEmail: 'john.smithplanted@acme-planted.example.com',
  itEmail: 'it-planted@acme-planted.example.com',
  janeDisplay: 'Janeplanted Q. Doeplanted',
  janeFirst: 'Janeplanted',
  janeLast: 'Doeplanted',
  johnFirst: 'Johnplanted',
  johnLast: 'Smithplanted',
  phone: '+1 555 0100 planted',
  accountName: 'Acmeplanted Analytics',
  adminIp: '81.2.69.160',
  officeCidr: '81.2.68.0/23',
  city: 'Plantedville',
  oktaAppName: 'acmeplanted_dbtcloud_1',
} as const;

/** Every planted value: none may survive anywhere in a redacted capture. */
export const PLANTED: readonly string[] = [
  ...Object.values(TOKENS),
  ...Object.values(IDS).map(String),
  ...Object.values(PEOPLE),
  IDS.tenant.replace(/-/g, ''),
  OKTA_HOST,
  DBT_HOST,
  TENANT_DOMAIN,
  'acmeplanted',
  'zq981',
  '81.2.6',
  'PLANTED',
];

const okta = `https://${OKTA_HOST}`;
const dbt = `https://${DBT_HOST}`;
const graph = 'https://graph.microsoft.com/v1.0';
const jobId = `scim.${IDS.tenant.replace(/-/g, '')}.${IDS.appId}`;

const dbtEnvelope = (data: unknown) => ({
  status: { code: 200, is_success: true, user_message: 'Success!', developer_message: '' },
  data,
});

export function plantedExchanges(): CapturedExchange[] {
  return [
    {
      method: 'GET',
      url: `${dbt}/api/v2/accounts/${IDS.accountId}/`,
      status: 200,
      requestHeaders: { authorization: `Token ${TOKENS.dbtApi}`, accept: 'application/json' },
      responseHeaders: {
        'content-type': 'application/json',
        'set-cookie': `sessionid=${TOKENS.cookie}; Path=/; HttpOnly`,
        'x-request-id': IDS.scimUser,
      },
      body: dbtEnvelope({
        id: IDS.accountId,
        name: PEOPLE.accountName,
        plan: 'enterprise',
        enterprise_authentication_method: 'okta',
        docs_url: `${dbt}/accounts/${IDS.accountId}/docs/`,
        created_at: '2023-04-05T06:07:08.000000+00:00',
      }),
      label: 'dbt account',
    },
    {
      method: 'GET',
      url: `${dbt}/api/v3/accounts/${IDS.accountId}/scim-config/tokens/`,
      status: 200,
      requestHeaders: { authorization: `Token ${TOKENS.dbtApi}` },
      responseHeaders: { 'content-type': 'application/json' },
      body: dbtEnvelope([
        {
          id: IDS.tokenId,
          account_id: IDS.accountId,
          name: 'scim-okta-2026-11',
          token_string: TOKENS.dbtScim,
          last_used: '2026-11-28T09:00:00Z',
          created_at: '2026-11-01T10:00:00Z',
          created_by_id: IDS.creatorId,
        },
      ]),
    },
    {
      method: 'GET',
      url: `${dbt}/api/scim/v2/accounts/${IDS.accountId}/Users?filter=${encodeURIComponent(`userName eq "${PEOPLE.johnEmail}"`)}`,
      status: 200,
      requestHeaders: { authorization: `Bearer ${TOKENS.dbtScim}` },
      responseHeaders: { 'content-type': 'application/scim+json' },
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 1,
        Resources: [
          {
            id: IDS.scimUser,
            userName: PEOPLE.johnEmail,
            name: { givenName: PEOPLE.johnFirst, familyName: PEOPLE.johnLast },
            emails: [{ value: PEOPLE.johnEmail, primary: true, type: 'work' }],
            active: true,
            meta: {
              resourceType: 'User',
              created: '2025-01-02T03:04:05Z',
              location: `${dbt}/api/scim/v2/accounts/${IDS.accountId}/Users/${IDS.scimUser}`,
            },
          },
        ],
      },
    },
    {
      method: 'GET',
      url: `${dbt}/api/v3/accounts/${IDS.accountId}/ip-restrictions/`,
      status: 200,
      responseHeaders: { 'content-type': 'application/json' },
      body: dbtEnvelope([
        {
          id: 5,
          name: 'Office',
          type: 1,
          cidrs: [{ cidr: PEOPLE.officeCidr }, { cidr: '127.0.0.1/32' }],
          rule_set_enabled: true,
        },
      ]),
    },
    {
      method: 'GET',
      url: `${okta}/api/v1/users/me`,
      status: 200,
      requestHeaders: { authorization: `SSWS ${TOKENS.okta}` },
      responseHeaders: {
        'content-type': 'application/json',
        'x-rate-limit-remaining': '99',
        link: `<${okta}/api/v1/users/me>; rel="self"`,
      },
      body: {
        id: IDS.oktaUser,
        status: 'ACTIVE',
        created: '2024-03-01T10:00:00.000Z',
        lastLogin: '2026-11-29T08:00:00.000Z',
        profile: {
          login: PEOPLE.janeEmail,
          email: PEOPLE.janeEmail,
          firstName: PEOPLE.janeFirst,
          lastName: PEOPLE.janeLast,
          displayName: PEOPLE.janeDisplay,
          mobilePhone: PEOPLE.phone,
          secondEmail: PEOPLE.itEmail,
        },
        credentials: { password: {}, provider: { type: 'OKTA', name: 'OKTA' } },
        _links: { self: { href: `${okta}/api/v1/users/${IDS.oktaUser}` } },
      },
    },
    {
      method: 'GET',
      url: `${okta}/api/v1/apps/${IDS.oktaApp}`,
      status: 200,
      requestHeaders: { authorization: `SSWS ${TOKENS.okta}` },
      responseHeaders: { 'content-type': 'application/json' },
      body: {
        id: IDS.oktaApp,
        name: PEOPLE.oktaAppName,
        label: 'dbt Cloud',
        status: 'ACTIVE',
        signOnMode: 'SAML_2_0',
        features: ['SCIM_PROVISIONING', 'GROUP_PUSH', 'PUSH_NEW_USERS'],
        lastUpdated: '2026-11-20T12:00:00.000Z',
        credentials: {
          userNameTemplate: { template: '${source.email}', type: 'BUILT_IN' },
          oauthClient: { client_id: 'plainClientId', client_secret: TOKENS.clientSecret },
          jwks: {
            keys: [{ kty: 'RSA', kid: 'signing-1', use: 'sig', e: 'AQAB', n: TOKENS.jwkModulus }],
          },
        },
        settings: {
          signOn: {
            ssoAcsUrl: `${dbt}/complete/okta`,
            audience: `urn:auth0:${IDS.accountId}:okta`,
          },
        },
        _links: {
          appLinks: [
            { href: `${okta}/home/${PEOPLE.oktaAppName}/${IDS.oktaApp}/${IDS.oktaAppLink}` },
          ],
        },
      },
    },
    {
      method: 'GET',
      url: `${okta}/api/v1/apps/${IDS.oktaApp}/groups`,
      status: 200,
      responseHeaders: { 'content-type': 'application/json' },
      body: [{ id: IDS.oktaGroup, type: 'OKTA_GROUP', profile: { name: 'dbt-admins' } }],
    },
    {
      method: 'GET',
      url: `${okta}/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${IDS.oktaApp}"`)}&since=2026-11-22T00:00:00.000Z`,
      status: 200,
      responseHeaders: { 'content-type': 'application/json' },
      body: [
        {
          eventType: 'application.provision.user.push',
          published: '2026-11-28T09:00:00.000Z',
          actor: {
            id: IDS.oktaUser,
            type: 'User',
            alternateId: PEOPLE.janeEmail,
            displayName: PEOPLE.janeDisplay,
          },
          displayMessage: `Push user ${PEOPLE.janeDisplay} to ${PEOPLE.oktaAppName}`,
          client: {
            ipAddress: PEOPLE.adminIp,
            geographicalContext: {
              city: PEOPLE.city,
              state: 'Bavaria',
              country: 'Germany',
              postalCode: '80331',
              geolocation: { lat: 48.137, lon: 11.575 },
            },
          },
        },
      ],
    },
    {
      method: 'GET',
      url: `${graph}/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'dbt SCIM'")}`,
      status: 200,
      requestHeaders: { authorization: `Bearer ${TOKENS.graph}` },
      responseHeaders: { 'content-type': 'application/json', 'request-id': IDS.tenant },
      body: {
        '@odata.context': `${graph}/$metadata#servicePrincipals`,
        value: [
          {
            id: IDS.spId,
            appId: IDS.appId,
            displayName: 'dbt SCIM',
            appOwnerOrganizationId: IDS.tenant,
            applicationTemplateId: '8adf8e6e-67b2-4cf2-a259-e3dc5476c621',
            servicePrincipalNames: [`https://${TENANT_DOMAIN}/dbt-scim`, IDS.appId],
            notificationEmailAddresses: [PEOPLE.itEmail],
            keyCredentials: [{ type: 'AsymmetricX509Cert', key: TOKENS.keyCredential }],
            appRoles: [],
          },
        ],
      },
    },
    {
      method: 'GET',
      url: `${graph}/servicePrincipals/${IDS.spId}/synchronization/jobs/${jobId}`,
      status: 200,
      requestHeaders: { authorization: `Bearer ${TOKENS.graph}` },
      responseHeaders: { 'content-type': 'application/json' },
      body: {
        id: jobId,
        templateId: 'scim',
        schedule: { state: 'Active', interval: 'PT40M' },
        status: {
          code: 'Quarantine',
          quarantine: {
            reason: 'EncounteredQuarantineException',
            currentBegan: '2026-11-27T01:02:03Z',
            error: {
              code: 'CredentialsInvalid',
              message: `The SCIM endpoint ${dbt}/api/scim/v2/accounts/${IDS.accountId} refused ${PEOPLE.johnEmail}.`,
            },
          },
        },
      },
    },
    {
      method: 'GET',
      url: `${graph}/servicePrincipals/${IDS.spId}/synchronization/secrets`,
      status: 200,
      requestHeaders: { authorization: `Bearer ${TOKENS.graph}` },
      responseHeaders: { 'content-type': 'application/json' },
      body: {
        value: [
          {
            key: 'BaseAddress',
            value: `${dbt}/api/scim/v2/accounts/${IDS.accountId}`,
          },
          { key: 'SecretToken', value: TOKENS.entraSecret },
          { key: 'SyncAll', value: 'false' },
        ],
      },
    },
    {
      method: 'GET',
      url: `${dbt}/settings/accounts/${IDS.accountId}/pages/sso`,
      status: 200,
      responseHeaders: { 'content-type': 'text/html' },
      body: `<html><body>Signed in as ${PEOPLE.janeEmail} (${PEOPLE.janeDisplay}) at ${PEOPLE.accountName}</body></html>`,
    },
  ];
}
