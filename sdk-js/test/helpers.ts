// Shared helpers of the tests: vector folders, fake fetch, bytes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Limits, TrustedKey } from '../src/index';

/** ROOT is sdk-js/ (tests run bundled from sdk-js/.test-out/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** SHARED_VECTORS is the Go-generated vector folder shared by every implementation. */
export const SHARED_VECTORS = resolve(ROOT, '../hotupdate/testdata/vectors');
/** OWN_VECTORS are sdk-js's extra vectors (same format), made by test/mkfixtures.ts. */
export const OWN_VECTORS = resolve(ROOT, 'test/fixtures/vectors');

export interface VectorEntry {
  name: string;
  valid: boolean;
  reason: string;
  check_files: boolean;
  limits?: Partial<Limits>;
  note?: string;
}

export interface VectorSet {
  dir: string;
  keys: TrustedKey[];
  index: VectorEntry[];
  envelope(name: string): Uint8Array;
  files(name: string): Map<string, Uint8Array>;
}

/** loadVectors reads a vector folder, or returns null when it has no index.json. */
export function loadVectors(dir: string): VectorSet | null {
  if (!existsSync(join(dir, 'index.json'))) return null;
  return {
    dir,
    keys: JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')),
    index: JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')),
    envelope: (name) => new Uint8Array(readFileSync(join(dir, name, 'envelope.json'))),
    files: (name) => {
      const p = join(dir, name, 'files.json');
      const m = new Map<string, Uint8Array>();
      if (!existsSync(p)) return m;
      const o = JSON.parse(readFileSync(p, 'utf8')) as { [path: string]: string };
      for (const k of Object.keys(o)) m.set(k, new Uint8Array(Buffer.from(o[k], 'base64')));
      return m;
    },
  };
}

export interface Call {
  url: string;
  init?: RequestInit;
  body?: any;
}

/** FakeServer answers fetch calls from a route function and records them. */
export class FakeServer {
  calls: Call[] = [];
  constructor(public route: (url: string, init?: RequestInit) => Response | Promise<Response>) {}
  fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    const call: Call = { url, init };
    if (init && typeof init.body === 'string') {
      try {
        call.body = JSON.parse(init.body);
      } catch (_) {
        call.body = init.body;
      }
    }
    this.calls.push(call);
    return this.route(url, init);
  };
  reports(): any[] {
    return this.calls.filter((c) => c.url.endsWith('/v1/runtime/reports')).map((c) => c.body);
  }
}

/** bytes returns the UTF-8 bytes of s. */
export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
