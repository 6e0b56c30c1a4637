// @govapp/sdk for bundlers and Node: everything, with the verifiers linked in.

import { setCryptoBackends } from './crypto/backends';
import { staticBackends } from './crypto/static';

setCryptoBackends(staticBackends);

export { canonicalize, canonicalBytes, CanonicalError, MAX_SAFE } from './canonical';
export { parseStrictJson, JsonSyntaxError, NonInteger } from './json';
export {
  ALG_ED25519,
  ALG_SM2,
  checkFiles,
  checkManifest,
  computeBundleId,
  DEFAULT_LIMITS,
  keyIdFor,
  parseEnvelope,
  pathProblem,
  REASONS,
  sha256,
  sha256Hex,
  verifyEnvelope,
} from './verify';
export type {
  Envelope,
  FileSource,
  Limits,
  Manifest,
  ManifestFile,
  ParseResult,
  Reason,
  Signature,
  TrustedKey,
  VerifyFailure,
  VerifyOptions,
  VerifyResult,
} from './verify';
export {
  checkForUpdate,
  downloadAndVerify,
  DownloadError,
  joinUrl,
  report,
  UpdateCache,
  UpdateError,
  updateUrl,
} from './update';
export type { CheckParams, DownloadOptions, FetchLike, Report, ReportEvent, SigningKey, UpdateResponse } from './update';
export { bootLoader } from './loader';
export type { LoaderConfig, LoaderEnv, LoaderOutcome } from './loader';
export { createRuntime, DEFAULT_TIMEOUT_MS, parseBundlePath } from './runtime';
export type { Runtime, RuntimeEnv, RuntimeOptions, RuntimeState } from './runtime';
export { AppState, bundleUrl, loaderUrl, MemoryStore } from './state';
export type { BundleRef, Context, Failure, KeyValueStore } from './state';
export { setCryptoBackends } from './crypto/backends';
export type { CryptoBackends, SignatureVerifier } from './crypto/backends';
export { ed25519Mode } from './crypto/ed25519';
export { SDK_VERSION } from './version';
export {
  autoTrack,
  BUILTIN_EVENTS,
  checkProps,
  clipUtf8,
  createStats,
  pageOf,
  randomId,
  STATS_FLUSH_MS,
  STATS_MAX_AGE_MS,
  STATS_MAX_BATCH_BYTES,
  STATS_MAX_BATCH_EVENTS,
  STATS_MAX_QUEUE,
  utf8Length,
} from './stats';
export type { AutoTrackEnv, Channel, Stats, StatsEnv, StatsEvent, StatsProps } from './stats';
export { createPush } from './push';
export type { DeviceKind, InboxItem, Push, PushDevice, PushEnv, RegisterParams } from './push';
export { createBridge, toGovappError } from './bridge/api';
export type { BridgeOptions } from './bridge/api';
export { ERROR_CODES, GovappError, isGovappError } from './bridge/errors';
export type { Container, ErrorCode } from './bridge/errors';
export { JSAPI_PERMISSIONS, normalizeConfig, PERMISSION_OF } from './bridge/config';
export type { GovappConfig } from './bridge/config';
export { detectContainer } from './bridge/util';
export { WECHAT_JSAPIS_OF } from './bridge/adapters/wechat';
export type { WechatSignature } from './bridge/adapters/wechat';
export { NATIVE_PROTOCOL, NATIVE_READY_EVENT } from './bridge/adapters/native';
export { DEFAULT_TIMEOUTS, METHODS } from './bridge/types';
export type * from './bridge/types';
