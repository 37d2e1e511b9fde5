/**
 * The identity providers' published provisioning address ranges. Okta publishes one JSON file
 * for all its cells (`{"us_cell_1": {"ip_ranges": [...]}, …}`); the admin picks the cell their org
 * runs in (shown in the Okta Admin Console footer, e.g. "OK7"). Entra's ranges are the
 * AzureActiveDirectory service tag, published weekly as a download without a stable address, so for
 * Entra the wizard links to Microsoft's page instead.
 */
import { z } from 'zod';
import { WizardError } from '../errors.js';

export const OKTA_RANGES_URL = 'https://s3.amazonaws.com/okta-ip-ranges/ip_ranges.json';

/** Okta's cell names as the Admin Console footer shows them, and as the range file keys them. */
export const OKTA_CELLS: readonly { readonly id: string; readonly label: string }[] = [
  ['us_cell_1', 'OK1'],
  ['us_cell_2', 'OK2'],
  ['us_cell_3', 'OK3'],
  ['us_cell_4', 'OK4'],
  ['us_cell_5', 'OK5'],
  ['us_cell_6', 'OK6'],
  ['us_cell_7', 'OK7'],
  ['apac_cell_1', 'OK8'],
  ['emea_cell_1', 'EU1'],
  ['emea_cell_2', 'OK9'],
  ['us_cell_10', 'OK10'],
  ['us_cell_11', 'OK11'],
  ['us_cell_12', 'OK12'],
  ['us_cell_14', 'OK14'],
  ['apac_cell_2', 'OK16'],
  ['preview_cell_1', 'OP1'],
  ['preview_cell_2', 'OP2'],
  ['preview_cell_3', 'OP3'],
].map(([id, label]) => ({ id: id ?? '', label: `${label ?? ''} (${id ?? ''})` }));

const oktaFileSchema = z.record(z.string(), z.object({ ip_ranges: z.array(z.string()) }).loose());

/** The ranges of one cell from Okta's file; typed errors for a file or cell that is not as expected. */
export function oktaCellRanges(file: unknown, cell: string): string[] {
  const parsed = oktaFileSchema.safeParse(file);
  if (!parsed.success) {
    throw new WizardError(
      'invalid_response',
      'Okta’s list of IP ranges is not in the expected shape.',
      {
        remediation: `Open ${OKTA_RANGES_URL} and copy your cell’s ranges by hand.`,
      },
    );
  }
  const entry = parsed.data[cell];
  if (!entry) {
    throw new WizardError('not_found', `Okta’s list of IP ranges has no cell "${cell}".`, {
      remediation:
        'Check the cell in the footer of the Okta Admin Console (e.g. OK7 is us_cell_7).',
    });
  }
  return entry.ip_ranges;
}
