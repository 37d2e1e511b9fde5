/**
 * Which undici dispatcher carries a request: direct, through the proxy the Electron session names
 * for the URL, or through HTTPS_PROXY/HTTP_PROXY (respecting NO_PROXY) in the CLI.
 * Loopback URLs always go direct. Dispatchers are made once and reused.
 */
import type { LookupFunction } from 'node:net';
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import type { Logger } from '../../core/ports.js';
import { isLoopbackHost } from '../../core/url.js';

/** A proxy, as it may be named in messages and logs (never with credentials). */
export interface ProxyInfo {
  readonly hostname: string;
  readonly port: number;
  /** `host:port`. */
  readonly display: string;
}

export type ProxyChoice =
  | { readonly kind: 'direct' }
  | { readonly kind: 'proxy'; readonly uri: string; readonly info: ProxyInfo }
  | { readonly kind: 'unsupported'; readonly entries: string };

const SCHEMES: Readonly<Record<string, { protocol: string; port: number }>> = {
  PROXY: { protocol: 'http:', port: 80 },
  HTTP: { protocol: 'http:', port: 80 },
  HTTPS: { protocol: 'https:', port: 443 },
  SOCKS5: { protocol: 'socks5:', port: 1080 },
};

/**
 * Reads a PAC-style answer as Electron's `session.resolveProxy` gives it, e.g.
 * `"PROXY proxy.corp:8080; DIRECT"`: the first entry the client can use wins. An empty answer
 * means direct. SOCKS (v4) and QUIC entries are skipped; if nothing usable is left, `unsupported`.
 */
export function parseProxyAnswer(answer: string | undefined): ProxyChoice {
  const entries = (answer ?? '')
    .split(';')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) {
    return { kind: 'direct' };
  }
  for (const entry of entries) {
    const [word = '', hostPort = ''] = entry.split(/\s+/, 2);
    const keyword = word.toUpperCase();
    if (keyword === 'DIRECT') {
      return { kind: 'direct' };
    }
    const scheme = SCHEMES[keyword];
    if (!scheme || hostPort === '') {
      continue;
    }
    let url: URL;
    try {
      url = new URL(`${scheme.protocol}//${hostPort}`);
    } catch {
      continue;
    }
    if (url.username || url.password || !['', '/'].includes(url.pathname) || url.search) {
      continue;
    }
    const port = url.port ? Number(url.port) : scheme.port;
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    return {
      kind: 'proxy',
      uri: `${url.protocol}//${url.hostname}:${port}`,
      info: { hostname, port, display: `${url.hostname}:${port}` },
    };
  }
  return { kind: 'unsupported', entries: entries.join('; ') };
}

/** The proxy the environment names for a URL's scheme (HTTPS_PROXY for https, HTTP_PROXY for http). */
export function envProxyFor(
  url: URL,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProxyInfo | undefined {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY;
  const raw = url.protocol === 'https:' ? (httpsProxy ?? httpProxy) : httpProxy;
  if (!raw) {
    return undefined;
  }
  try {
    const p = new URL(raw);
    const port = p.port ? Number(p.port) : p.protocol === 'https:' ? 443 : 80;
    return { hostname: p.hostname.replace(/^\[|\]$/g, ''), port, display: `${p.hostname}:${port}` };
  } catch {
    return undefined;
  }
}

export function hasEnvProxy(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return Boolean(env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY);
}

export interface Route {
  readonly dispatcher: Dispatcher;
  /** The proxy the request may go through (for naming it in errors), if any. */
  readonly proxy?: ProxyInfo;
}

export interface Router {
  route(url: URL): Promise<Route>;
  close(): Promise<void>;
}

export interface RouterOptions {
  readonly log: Logger;
  readonly resolveProxy?: (url: string) => Promise<string | undefined>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides the OS resolver (tests resolve made-up names to 127.0.0.1 with it). */
  readonly lookup?: LookupFunction;
}

export function createRouter(options: RouterOptions): Router {
  const { log, resolveProxy } = options;
  const env = options.env ?? process.env;
  const tcp = options.lookup ? { lookup: options.lookup } : {};
  const direct = new Agent({ connect: tcp });
  const viaEnv =
    !resolveProxy && hasEnvProxy(env)
      ? new EnvHttpProxyAgent({
          // '' rather than undefined: undici would otherwise read process.env itself.
          httpProxy: env.http_proxy ?? env.HTTP_PROXY ?? '',
          httpsProxy: env.https_proxy ?? env.HTTPS_PROXY ?? '',
          noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
          connect: tcp,
          proxyTls: tcp,
        })
      : undefined;
  const proxies = new Map<string, ProxyAgent>();
  let warnedUnsupported = false;

  const route = async (url: URL): Promise<Route> => {
    if (isLoopbackHost(url.hostname)) {
      return { dispatcher: direct };
    }
    if (!resolveProxy) {
      return viaEnv ? { dispatcher: viaEnv, proxy: envProxyFor(url, env) } : { dispatcher: direct };
    }
    let answer: string | undefined;
    try {
      answer = await resolveProxy(url.href);
    } catch {
      log.warn('proxy resolution failed; connecting directly', { host: url.host });
      return { dispatcher: direct };
    }
    const choice = parseProxyAnswer(answer);
    if (choice.kind === 'direct') {
      return { dispatcher: direct };
    }
    if (choice.kind === 'unsupported') {
      if (!warnedUnsupported) {
        warnedUnsupported = true;
        log.warn('proxy kind not supported; connecting directly', { answer: choice.entries });
      }
      return { dispatcher: direct };
    }
    let agent = proxies.get(choice.uri);
    if (!agent) {
      agent = new ProxyAgent({ uri: choice.uri, proxyTls: tcp });
      proxies.set(choice.uri, agent);
    }
    return { dispatcher: agent, proxy: choice.info };
  };

  const close = async (): Promise<void> => {
    const all: Dispatcher[] = [direct, ...proxies.values()];
    if (viaEnv) {
      all.push(viaEnv);
    }
    proxies.clear();
    await Promise.all(all.map((d) => d.close()));
  };

  return { route, close };
}
