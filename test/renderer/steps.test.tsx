import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STEP_ORDER } from '../../renderer/src/model.js';
import { stepCopy, stepTitle } from '../../renderer/src/steps/catalog.js';
import { makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

function section(name: string): HTMLElement {
  return screen.getByRole('region', { name });
}

describe('step screens', () => {
  it('shows the Okta variant of the IdP step: guided console steps, each verified', async () => {
    renderApp({ profiles: [makeProfile({ idp: 'okta', currentStep: 'idp' })] });
    await findRail();
    expect(
      screen.getByRole('heading', { level: 1, name: 'Identity provider: Okta' }),
    ).toBeVisible();
    const actions = section('What the wizard will do');
    expect(actions).toHaveTextContent('Enable SCIM provisioning');
    expect(actions).toHaveTextContent('Provisioning › Integration');
    expect(actions).toHaveTextContent('Provisioning › To App');
    expect(actions).toHaveTextContent('licenseType');
    expect(within(actions).getAllByText('Guided console step')).toHaveLength(3);
    expect(actions).not.toHaveTextContent('Microsoft Graph');
    expect(section('What you need')).toHaveTextContent('Okta API token');
  });

  it('describes the Entra variant of the IdP step: everything through Microsoft Graph', () => {
    const copy = stepCopy('idp', 'entra');
    expect(copy.heading).toBe('Identity provider: Entra ID');
    const actions = copy.actions.map((a) => a.text).join(' ');
    expect(actions).toContain('non-gallery enterprise app through Microsoft Graph');
    expect(actions).toContain('Test the connection');
    expect(actions).toContain('provisioning job');
    expect(actions).toContain('emails[type eq "work"].primary');
    expect(copy.actions.some((a) => a.kind === 'guided')).toBe(false);
    expect(actions).not.toContain('Okta');
    // The screen itself (entra-step.test.tsx) shows the sections that do it.
  });

  it('explains license types per IdP: Okta attribute vs dbt license maps for Entra', () => {
    expect(
      stepCopy('license', 'okta')
        .actions.map((a) => a.text)
        .join(' '),
    ).toContain('urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User');
    expect(stepCopy('license', 'entra').summary).toContain('license mappings');
  });

  it('describes rotation as create, put in the IdP, prove, then delete the old token', () => {
    for (const idp of ['okta', 'entra'] as const) {
      const texts = stepCopy('rotation', idp).actions.map((a) => a.text);
      expect(texts[0]).toMatch(/Create a new SCIM token/);
      expect(texts.at(-1)).toMatch(/Only then delete the old token/);
    }
  });

  it('has a title, summary, needs and actions for every step and variant', () => {
    for (const step of STEP_ORDER) {
      for (const idp of ['okta', 'entra', null] as const) {
        const copy = stepCopy(step, idp);
        expect(copy.title.length).toBeGreaterThan(1);
        expect(copy.summary).toMatch(/\.$/);
        expect(copy.needs.length).toBeGreaterThan(0);
        expect(copy.actions.length).toBeGreaterThan(0);
        expect(JSON.stringify(copy)).not.toContain('!');
      }
    }
    expect(stepTitle('idp', null)).toBe('Identity provider');
  });

  it('uses one h1 per screen with h2 sections', async () => {
    renderApp({ profiles: [makeProfile({ currentStep: 'idp', idp: null })] });
    await findRail();
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'What you need',
      'What the wizard will do',
    ]);
  });
});
