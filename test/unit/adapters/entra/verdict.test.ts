/**
 * provisionOnDemand's verdict: two JSON documents inside the strings of a stringKeyStringValuePair.
 * The pairs below are written by hand in the shape of the docs' examples (graph.md §6).
 */
import { describe, expect, it } from 'vitest';
import { parseProvisionVerdict } from '../../../../electron/adapters/entra/verdict.js';
import { caught } from './helpers.js';

const step = (name: string, type: string, status: string, details: object = {}) => ({
  name,
  type,
  status,
  description: `${type} step`,
  timestamp: '2026-11-29T10:00:00Z',
  details,
});

describe('parseProvisionVerdict', () => {
  it('reads a redundant export: Skipped, reason from the step’s SkipReason', () => {
    const verdict = parseProvisionVerdict({
      key: JSON.stringify({
        result: 'Skipped',
        details: {
          errorCode: 'RedundantExport',
          errorMessage: 'Source and target already match.',
        },
      }),
      value: JSON.stringify({
        action: 'Other',
        provisioningSteps: [
          step('EntryImport', 'Import', 'Success'),
          step('EntrySynchronizationSkip', 'Export', 'Skipped', { SkipReason: 'RedundantExport' }),
        ],
        statusInfo: { status: 'Skipped', errorCode: null, reason: null },
      }),
    });
    expect(verdict).toEqual({
      result: 'Skipped',
      errorCode: 'RedundantExport',
      errorMessage: 'Source and target already match.',
      steps: [
        { name: 'EntryImport', status: 'Success', description: 'Import step' },
        { name: 'EntrySynchronizationSkip', status: 'Skipped', description: 'Export step' },
      ],
      reason: 'RedundantExport',
    });
  });

  it('reads a success with empty details, and a skip whose reason is only the error code', () => {
    expect(
      parseProvisionVerdict({ key: '{"result":"Success","details":{}}', value: '{}' }),
    ).toEqual({ result: 'Success', errorCode: null, errorMessage: null, steps: [], reason: null });
    expect(
      parseProvisionVerdict({
        key: '{"result":"Skipped","details":{"errorCode":"NotEffectivelyEntitled"}}',
        value: null,
      }).reason,
    ).toBe('NotEffectivelyEntitled');
  });

  it('takes the reason from statusInfo when no step names one', () => {
    const verdict = parseProvisionVerdict({
      key: '{"result":"Failure","details":{"errorCode":"X","errorMessage":"boom"}}',
      value: JSON.stringify({ statusInfo: { status: 'Failure', reason: 'ScimEndpointDown' } }),
    });
    expect(verdict).toMatchObject({
      result: 'Failure',
      errorCode: 'X',
      reason: 'ScimEndpointDown',
    });
  });

  it('refuses strings that are not the expected JSON (invalid_response)', async () => {
    for (const pair of [
      { key: 'not json', value: '{}' },
      { key: '{"details":{}}', value: '{}' },
      { key: '{"result":"Success"}', value: '{"provisioningSteps":"nope"}' },
    ]) {
      const e = await caught(() => Promise.resolve(parseProvisionVerdict(pair)));
      expect(e.code).toBe('invalid_response');
    }
  });
});
