/**
 * What each step does, in the admin's words: one entry per step, with Okta and Entra ID variants
 * where the work differs, and a neutral variant while the profile has no IdP yet.
 * Source: dbt's "Set up SCIM" page (shared/seeds/dbt-scim-setup.txt) and DESIGN.md §2.
 */
import type { Idp, StepId } from '../model.js';
import { IDP_SHORT_NAMES } from '../model.js';

/** How an action is carried out: by the wizard through an API, by you in a console, or a check. */
export type ActionKind = 'api' | 'guided' | 'check';

export const ACTION_KIND_LABELS: Readonly<Record<ActionKind, string>> = {
  api: 'By API',
  guided: 'Guided console step',
  check: 'Check',
};

export interface StepAction {
  readonly kind: ActionKind;
  readonly text: string;
}

export interface StepCopy {
  /** The short title shown in the rail. */
  readonly title: string;
  /** The screen's heading. */
  readonly heading: string;
  readonly summary: string;
  /** "What you need": roles, tokens, values. */
  readonly needs: readonly string[];
  /** "What the wizard will do", in order. */
  readonly actions: readonly StepAction[];
  /** One closing sentence, when there is something worth knowing. */
  readonly note?: string;
}

type Body = Omit<StepCopy, 'title' | 'heading'>;
type Variant = Idp | 'none';

interface Entry {
  readonly title: string;
  readonly variants: Readonly<Record<Variant, Body>>;
}

const DBT_ADMIN = 'A dbt account admin on an Enterprise or Enterprise+ plan';
const DBT_TOKEN =
  'A dbt token with account admin rights (a service token or a personal access token)';
const OKTA_ADMIN =
  'An Okta Super Administrator or Org Administrator (an App Administrator may not be allowed to edit the app profile)';
const OKTA_SIGN_IN =
  'A way for the wizard to sign in to Okta: your own account through a Native app registered once (recommended), a service app with a private key, or an Okta API token created by that administrator';
const ENTRA_ADMIN =
  'A Microsoft Entra account with the Application Administrator or Cloud Application Administrator role';
const ENTRA_SIGN_IN = 'Sign-in to Microsoft in your browser; the wizard never sees your password';
const FROM_DBT_STEP =
  'The SCIM base URL and token from the dbt step; the wizard keeps them and shows each where it is needed';
const CHOOSE_IDP =
  'Choose Okta or Microsoft Entra ID for this profile (Profile settings › Edit profile) to see exactly what this step does.';

const dbtBody: Body = {
  summary:
    'Turn on SCIM in your dbt account and create the SCIM token that your identity provider will use to reach dbt.',
  needs: [DBT_TOKEN, 'The account’s access URL and account ID, from dbt’s Account settings'],
  actions: [
    {
      kind: 'check',
      text: 'Show the plan first: turn SCIM on, keep “Allow manual updates” off, keep SCIM license control off for now.',
    },
    { kind: 'api', text: 'Turn SCIM on through dbt’s account API.' },
    { kind: 'api', text: 'Take the SCIM base URL from dbt and check that it answers.' },
    {
      kind: 'api',
      text: 'Create a SCIM token named after this wizard. dbt shows it only once, so it goes straight to secure storage.',
    },
    { kind: 'check', text: 'Read the settings back from dbt to verify them.' },
  ],
  note: 'If the API refuses, the wizard guides you through Account settings › Single sign-on › “Enable SCIM” instead, and checks the result.',
};

const CATALOG: Readonly<Record<StepId, Entry>> = {
  prerequisites: {
    title: 'Prerequisites',
    variants: {
      okta: {
        summary:
          'Check that this dbt account and your Okta org are ready for SCIM. Nothing is changed in this step.',
        needs: [
          DBT_ADMIN,
          'Single sign-on to dbt already set up with Okta (a SAML 2.0 app)',
          OKTA_ADMIN,
          'If IP restrictions are on in dbt: Okta’s IP addresses on the allowlist',
        ],
        actions: [
          {
            kind: 'api',
            text: 'Read the dbt account: plan, single sign-on settings, and whether SCIM is already on.',
          },
          { kind: 'api', text: 'Read your Okta administrator role and find the dbt SSO app.' },
          { kind: 'check', text: 'List anything missing in plain words, with who can fix it.' },
        ],
      },
      entra: {
        summary:
          'Check that this dbt account and your Microsoft Entra tenant are ready for SCIM. Nothing is changed in this step.',
        needs: [
          DBT_ADMIN,
          'Single sign-on to dbt already set up with Microsoft Entra ID',
          ENTRA_ADMIN,
          'Admin consent for the wizard’s Microsoft Graph permissions (Application.ReadWrite.All, Synchronization.ReadWrite.All)',
          'If IP restrictions are on in dbt: the Entra provisioning service allowed to reach dbt',
        ],
        actions: [
          {
            kind: 'api',
            text: 'Read the dbt account: plan, single sign-on settings, and whether SCIM is already on.',
          },
          {
            kind: 'api',
            text: 'Sign in to Microsoft in your browser, then check your role and the permissions granted.',
          },
          { kind: 'check', text: 'List anything missing in plain words, with who can fix it.' },
        ],
      },
      none: {
        summary:
          'Check that this dbt account and your identity provider are ready for SCIM. Nothing is changed in this step.',
        needs: [
          DBT_ADMIN,
          'Single sign-on to dbt already set up with Okta or Microsoft Entra ID',
          'An administrator in that identity provider',
        ],
        actions: [
          {
            kind: 'api',
            text: 'Read the dbt account: plan, single sign-on settings, and whether SCIM is already on.',
          },
          {
            kind: 'check',
            text: 'Tell which identity provider signs users in to dbt, so the next steps fit it.',
          },
          { kind: 'check', text: 'List anything missing in plain words, with who can fix it.' },
        ],
      },
    },
  },

  dbt: {
    title: 'dbt',
    variants: { okta: dbtBody, entra: dbtBody, none: dbtBody },
  },

  idp: {
    title: 'Identity provider',
    variants: {
      okta: {
        summary:
          'Connect the Okta app you already use for dbt sign-in to dbt’s SCIM endpoint. Okta has no API for this part of a custom SAML app, so you make three changes in the Okta Admin Console and the wizard checks each one.',
        needs: [OKTA_ADMIN, OKTA_SIGN_IN, FROM_DBT_STEP],
        actions: [
          {
            kind: 'api',
            text: 'Find the dbt SSO app (SAML 2.0) and check that its username format is Email, which SCIM needs. It is changed only with your confirmation, and only before SCIM is on.',
          },
          {
            kind: 'guided',
            text: 'General tab: tick “Enable SCIM provisioning”. Verified by reading the app back.',
          },
          {
            kind: 'guided',
            text: 'Provisioning › Integration: paste the SCIM base URL, use userName as the unique identifier, tick “Push New Users”, “Push Profile Updates” and “Push Groups”, choose “HTTP Header” and paste the token as Bearer, test the connection and save. Verified by reading the app back and by dbt seeing the token used.',
          },
          {
            kind: 'guided',
            text: 'Provisioning › To App: turn on “Create Users”, “Update User Attributes” and “Deactivate Users”. Verified through the app’s provisioning features.',
          },
          {
            kind: 'api',
            text: 'Add the licenseType attribute to the app’s user profile, ready for the License types step.',
          },
          {
            kind: 'api',
            text: 'Push the Okta groups you pick, each named like the dbt group it fills.',
          },
        ],
        note: 'If dbt already has users and groups, the wizard also guides Okta’s “Import Users” and “Import Groups” first, so they become SCIM-managed without duplicates. Nothing changes through the API before you have reviewed the plan.',
      },
      entra: {
        summary:
          'Create a dedicated enterprise app for SCIM in Microsoft Entra ID and set up its provisioning, all through Microsoft Graph.',
        needs: [ENTRA_ADMIN, ENTRA_SIGN_IN, FROM_DBT_STEP],
        actions: [
          {
            kind: 'api',
            text: 'Create the non-gallery enterprise app through Microsoft Graph, after checking that none exists yet, so a re-run never makes a second one.',
          },
          {
            kind: 'api',
            text: 'Test the connection with the SCIM base URL and token, then save them as the app’s provisioning credentials.',
          },
          { kind: 'api', text: 'Create the provisioning job.' },
          {
            kind: 'api',
            text: 'Set the attribute mappings: add emails[type eq "work"].primary (Boolean, required), mark the six fields required, and keep exactly the seven mappings dbt expects.',
          },
          { kind: 'check', text: 'Read the app, the job and the mappings back to verify them.' },
        ],
      },
      none: {
        summary:
          'Connect your identity provider to dbt’s SCIM endpoint. With Okta, the app you already use for dbt sign-in is connected through guided console steps; with Microsoft Entra ID, a new enterprise app is created and set up through Microsoft Graph.',
        needs: ['The identity provider that signs users in to dbt', FROM_DBT_STEP],
        actions: [{ kind: 'check', text: CHOOSE_IDP }],
      },
    },
  },

  license: {
    title: 'License types',
    variants: {
      okta: {
        summary:
          'Let Okta set each user’s dbt license type through a SCIM attribute, following dbt’s migration order so existing license mappings keep working until the last step.',
        needs: [
          OKTA_ADMIN,
          DBT_TOKEN,
          'Which users or groups get which license type: IT, Analyst, Developer or Read Only',
        ],
        actions: [
          {
            kind: 'api',
            text: 'Check the licenseType attribute: values it, analyst, developer and read_only, in the namespace urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User.',
          },
          {
            kind: 'api',
            text: 'Optionally, set License Type from Okta groups with an expression in the app’s profile mapping.',
          },
          {
            kind: 'check',
            text: 'Confirm in dbt that a provisioned user got the license type from Okta.',
          },
          {
            kind: 'api',
            text: 'Only then turn on “Manage user licenses with SCIM” in dbt, so SCIM becomes the source of truth. dbt then ignores its license mappings.',
          },
        ],
      },
      entra: {
        summary:
          'dbt does not take license types from Microsoft Entra ID through SCIM, so the wizard uses dbt’s SSO license mappings: each Entra group is mapped to a license type in dbt.',
        needs: [
          DBT_TOKEN,
          'The Entra groups that stand for each license type, for example dbt-developers',
        ],
        actions: [
          {
            kind: 'api',
            text: 'Read the account’s plan (which license types it offers) and the existing license mappings.',
          },
          { kind: 'check', text: 'Show the plan: which group maps to which license type.' },
          { kind: 'api', text: 'Create or update the license mappings in dbt.' },
          {
            kind: 'check',
            text: 'Read them back to verify. dbt’s SCIM license setting stays off.',
          },
        ],
      },
      none: {
        summary:
          'Decide how each user’s dbt license type is set: by a SCIM attribute from Okta, or by dbt’s SSO license mappings for Microsoft Entra ID.',
        needs: ['Which users or groups get which license type'],
        actions: [{ kind: 'check', text: CHOOSE_IDP }],
      },
    },
  },

  test: {
    title: 'Test',
    variants: {
      okta: {
        summary:
          'Prove the whole chain with one real person: Okta sends the user, dbt creates them, and the wizard reads them back.',
        needs: ['A test user in Okta, ideally someone not yet in dbt', 'A few minutes'],
        actions: [
          { kind: 'api', text: 'Assign the test user to the dbt app in Okta.' },
          { kind: 'check', text: 'Watch dbt until the user arrives, checking every 5 seconds.' },
          {
            kind: 'api',
            text: 'Read the user back from dbt over SCIM: name, email, license type.',
          },
          {
            kind: 'check',
            text: 'Confirm that dbt saw the SCIM token used and that Okta’s System Log shows the push.',
          },
          {
            kind: 'guided',
            text: 'Optional: use Okta’s “Import Users” and “Import Groups” so existing dbt users and groups become SCIM-managed.',
          },
        ],
      },
      entra: {
        summary:
          'Prove the whole chain with one real person, using Entra’s “Provision on demand”, then start regular provisioning.',
        needs: [
          'A test user in Microsoft Entra ID, ideally someone not yet in dbt',
          'A few minutes',
        ],
        actions: [
          { kind: 'api', text: 'Assign the test user to the enterprise app.' },
          {
            kind: 'api',
            text: 'Provision the user on demand and show each stage with its verdict: connection, import, scope, match, action.',
          },
          { kind: 'api', text: 'Read the user back from dbt over SCIM.' },
          {
            kind: 'api',
            text: 'Start the provisioning job, so Entra keeps assigned users in sync.',
          },
          { kind: 'check', text: 'Watch for quarantine or repeated failures, and explain them.' },
        ],
      },
      none: {
        summary:
          'Prove the whole chain with one real person: the identity provider sends the user, dbt creates them, and the wizard reads them back.',
        needs: ['A test user in your identity provider'],
        actions: [{ kind: 'check', text: CHOOSE_IDP }],
      },
    },
  },

  rotation: {
    title: 'Rotation',
    variants: {
      okta: {
        summary:
          'Replace the SCIM token with no downtime: the old token keeps working until the new one is proven in use.',
        needs: [DBT_TOKEN, 'An Okta administrator, for one paste in the console'],
        actions: [
          { kind: 'api', text: 'Create a new SCIM token in dbt.' },
          {
            kind: 'guided',
            text: 'Provisioning › Integration: paste the new token as Bearer, test the connection and save.',
          },
          {
            kind: 'check',
            text: 'Prove that Okta uses the new token: dbt records when each token was last used.',
          },
          { kind: 'api', text: 'Only then delete the old token.' },
        ],
        note: 'The console paste keeps rotation interactive for Okta; health checks can still run on a schedule from the command line.',
      },
      entra: {
        summary:
          'Replace the SCIM token with no downtime: the old token keeps working until the new one is proven in use.',
        needs: [DBT_TOKEN, ENTRA_SIGN_IN],
        actions: [
          { kind: 'api', text: 'Create a new SCIM token in dbt.' },
          {
            kind: 'api',
            text: 'Test the connection with the new token, then save it as the enterprise app’s provisioning credential.',
          },
          {
            kind: 'check',
            text: 'Prove that Entra uses the new token: dbt records when each token was last used.',
          },
          { kind: 'api', text: 'Only then delete the old token.' },
        ],
        note: 'Every part is done by API, so rotation can also run on a schedule from the command line.',
      },
      none: {
        summary:
          'Replace the SCIM token with no downtime: create a new token, put it in the identity provider, prove it is used, and only then delete the old one.',
        needs: [DBT_TOKEN],
        actions: [{ kind: 'check', text: CHOOSE_IDP }],
      },
    },
  },
};

/** The rail title, with the IdP's short name on the IdP step once it is chosen. */
export function stepTitle(step: StepId, idp: Idp | null): string {
  const title = CATALOG[step].title;
  return step === 'idp' && idp ? `${title}: ${IDP_SHORT_NAMES[idp]}` : title;
}

export function stepCopy(step: StepId, idp: Idp | null): StepCopy {
  const entry = CATALOG[step];
  return { title: entry.title, heading: stepTitle(step, idp), ...entry.variants[idp ?? 'none'] };
}
