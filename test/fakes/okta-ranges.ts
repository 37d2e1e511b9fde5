/**
 * Okta's published IP range file, served on loopback in Okta's shape (one key per cell).
 * The ranges are documentation prefixes (RFC 5737 / 3849), not Okta's real ones.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_OKTA_RANGES: Record<string, { ip_ranges: string[] }> = {
  us_cell_1: { ip_ranges: ['192.0.2.0/26', '192.0.2.64/26'] },
  us_cell_7: { ip_ranges: ['198.51.100.0/25', '198.51.100.128/27', '2001:db8:7::/48'] },
  emea_cell_2: { ip_ranges: ['203.0.113.0/25'] },
};

export async function startFakeOktaRanges(): Promise<{
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.url === '/okta-ip-ranges/ip_ranges.json') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(FAKE_OKTA_RANGES));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/okta-ip-ranges/ip_ranges.json`,
    hits: () => hits,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => {
          ok();
        });
      }),
  };
}
