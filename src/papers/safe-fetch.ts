import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface FetchPolicy {
  allowedHosts: ReadonlySet<string>;
  /** Tests, offline mirrors: may be http and loopback, never a redirect target. */
  overrideOrigin?: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';
}

export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, net.includes(':') ? 'ipv6' : 'ipv4');

/** Fails closed: anything that is not an IP address counts as private. */
export function isPrivateAddress(address: string) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  const family = isIP(address);
  return family === 0 || blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

// Checks the address actually connected to: DNS cannot swap in a private one after a check.
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as Array<{ address: string; family: number }>;
    if (list.length === 0 || list.some((a) => isPrivateAddress(a.address)))
      return callback(new FetchRefusedError(`${hostname} resolves to a private address`), '', 0);
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
};

function checkUrl(url: URL, policy: FetchPolicy, isRedirect: boolean) {
  if (policy.overrideOrigin && url.origin === policy.overrideOrigin && !isRedirect) return 'override';
  if (url.protocol !== 'https:') throw new FetchRefusedError(`refusing ${url.protocol} URL`);
  if (!policy.allowedHosts.has(url.hostname)) throw new FetchRefusedError(`refusing host ${url.hostname}`);
  if (url.username || url.password || (url.port && url.port !== '443'))
    throw new FetchRefusedError('refusing credentials or a port');
  return 'public';
}

export interface FetchedText {
  status: number;
  body: string;
}

export async function safeGet(
  target: string,
  policy: FetchPolicy,
  headers: Record<string, string> = {},
): Promise<FetchedText> {
  let url = new URL(target);
  for (let hop = 0; hop <= policy.maxRedirects; hop++) {
    const kind = checkUrl(url, policy, hop > 0);
    const response = await getOnce(url, kind, policy, headers);
    if (response.status >= 300 && response.status < 400 && response.location) {
      url = new URL(response.location, url);
      continue;
    }
    return { status: response.status, body: response.body };
  }
  throw new FetchRefusedError(`more than ${policy.maxRedirects} redirects`);
}

function getOnce(
  url: URL,
  kind: 'override' | 'public',
  policy: FetchPolicy,
  headers: Record<string, string>,
): Promise<FetchedText & { location?: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = send(url, {
      method: 'GET',
      headers: { 'user-agent': 'Lectern (paper-reading Discord bot)', ...headers },
      ...(kind === 'public' && { lookup: publicOnlyLookup }),
    });
    const deadline = setTimeout(
      () => req.destroy(new SourceError(`no answer within ${policy.timeoutMs} ms`, true)),
      policy.timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(deadline);
      reject(
        error instanceof FetchRefusedError || error instanceof SourceError
          ? error
          : new SourceError(error.message, true),
      );
    };
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > policy.maxBytes)
        return req.destroy(
          new SourceError(`response of ${declared} bytes is over the ${policy.maxBytes}-byte cap`, false),
        );
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxBytes)
          return req.destroy(new SourceError(`response is over the ${policy.maxBytes}-byte cap`, false));
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          location: res.headers.location,
        });
      });
    });
    req.end();
  });
}
