// The loader page of plain H5 containers (WeChat, Alipay, browsers):
// GET /a/{appId}/ serves a tiny page with window.__GOVAPP_LOADER__ and calls
// govappBootLoader(). It decides which bundle to open — the offered one
// after verifying it, or the last good one — and reports what went wrong
// last time. It touches the page only through LoaderEnv, so tests run it in
// Node.

import { AppState, BundleRef, bundleUrl, KeyValueStore } from './state';
import { downloadAndVerify, DownloadError, FetchLike, report, Report, SigningKey, UpdateResponse } from './update';
import { Limits } from './verify';

/** LoaderConfig is what the server injects as window.__GOVAPP_LOADER__. */
export interface LoaderConfig {
  /** server is the platform origin for API calls ("" = this page's origin). */
  server: string;
  appId: string;
  channel?: string;
  /** device is the device id (the govapp_did cookie). */
  device: string;
  /** offer is the update answer for this device's cohort, or null when nothing is released for it. */
  offer: UpdateResponse | null;
  /** keys are the trusted keys; when absent, the offer's keys are used. */
  keys?: SigningKey[];
  limits?: Partial<Limits>;
}

/** LoaderEnv is the page as the loader sees it. */
export interface LoaderEnv {
  storage: KeyValueStore;
  /** navigate replaces the current page (location.replace). */
  navigate(url: string): void;
  /** showError renders the Chinese error page; its 重试 button calls onRetry (if any) and reloads. */
  showError(title: string, message: string, onRetry?: () => void): void;
  fetch: FetchLike;
  /** reportWaitMs bounds how long reports may delay a navigation (default 1500). */
  reportWaitMs?: number;
}

/** LoaderOutcome says what the loader did (returned for tests and logs). */
export type LoaderOutcome =
  | { action: 'navigate'; url: string; bundle_id: string; via: 'update' | 'good' }
  | { action: 'error'; title: string; message: string };

const REASON_TEXT: { [reason: string]: string } = {
  malformed: '更新包格式错误',
  unknown_key: '更新包的签名密钥不受信任',
  alg_mismatch: '更新包的签名算法与密钥不符',
  bad_signature: '更新包签名校验失败',
  bundle_id_mismatch: '更新包标识校验失败',
  too_many_files: '更新包文件过多',
  file_too_large: '更新包中有文件过大',
  bundle_too_large: '更新包过大',
  bad_path: '更新包中有不安全的文件路径',
  unsorted_files: '更新包文件清单未排序',
  duplicate_path: '更新包中有重复的文件路径',
  bad_entry: '更新包入口文件不存在',
  missing_file: '更新包文件缺失',
  size_mismatch: '更新包文件大小不符',
  hash_mismatch: '更新包文件内容校验失败',
};

function withTimeout(ps: Array<Promise<unknown>>, ms: number): Promise<void> {
  if (ps.length === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    Promise.all(ps).then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => {
        clearTimeout(t);
        resolve();
      },
    );
  });
}

/**
 * bootLoader runs the loader's state machine:
 *
 *  1. If the bundle it started last time (pending) recorded a failure, or
 *     never called ready() (booting still set), report `failed` with the
 *     reason and never try that bundle again on this device.
 *  2. If the offer names a bundle other than the last good one (and not one
 *     that failed here), verify the envelope and every file; on success
 *     remember it as pending, mark it booting and open it; on a verdict
 *     report `verify_failed` and open the last good bundle.
 *  3. Otherwise open the last good bundle, or show the error page when there
 *     is none.
 */
export async function bootLoader(config: LoaderConfig, env: LoaderEnv): Promise<LoaderOutcome> {
  if (!config || typeof config.appId !== 'string' || !config.appId) {
    env.showError('应用无法打开', '页面缺少应用配置，请稍后重试。');
    return { action: 'error', title: '应用无法打开', message: '页面缺少应用配置，请稍后重试。' };
  }
  const appId = config.appId;
  const server = config.server || '';
  const device = config.device || '';
  const st = new AppState(env.storage, appId);
  st.setContext({ server, device });
  const reports: Array<Promise<boolean>> = [];
  const send = (r: Omit<Report, 'app_id' | 'device'>) => {
    reports.push(report(server, { app_id: appId, device, ...r }, { fetch: env.fetch }));
  };
  const settle = () => withTimeout(reports, env.reportWaitMs === undefined ? 1500 : env.reportWaitMs);

  // 1. How did the last trial go?
  const pending = st.pending();
  if (pending) {
    const failed = st.failed();
    let reason: string | null = null;
    if (failed && failed.bundle_id === pending.bundle_id) reason = failed.reason;
    else if (st.booting() === pending.bundle_id) reason = 'interrupted';
    if (reason !== null) {
      send({ release_id: pending.release_id, bundle_id: pending.bundle_id, event: 'failed', reason });
      st.addBad(pending.bundle_id);
    }
    st.clearTrial();
  }

  const good = st.good();
  const openGood = async (why: string, reason?: string, onRetry?: () => void): Promise<LoaderOutcome> => {
    await settle();
    if (good) {
      const url = bundleUrl(appId, good.bundle_id, good.entry);
      env.navigate(url);
      return { action: 'navigate', url, bundle_id: good.bundle_id, via: 'good' };
    }
    const title = '应用暂时无法打开';
    const message = why + (reason ? '（' + reason + '）' : '') + '，请稍后重试。';
    env.showError(title, message, onRetry);
    return { action: 'error', title, message };
  };

  const offer = config.offer;
  if (!offer || !offer.manifest || !offer.bundle_id) {
    if (offer && offer.rollback && good) {
      // The platform withdrew the bundle this device runs and has none to offer.
      send({ release_id: good.release_id, bundle_id: good.bundle_id, event: 'rolled_back' });
      st.clearGood();
      await settle();
      const message = '该应用的版本已撤回，暂无可用版本，请稍后重试。';
      env.showError('应用暂时无法打开', message);
      return { action: 'error', title: '应用暂时无法打开', message };
    }
    return openGood('该应用暂无可用版本');
  }
  if (good && good.bundle_id === offer.bundle_id) return openGood('');
  if (st.isBad(offer.bundle_id)) {
    // With nothing else to open, let the person try the failed bundle again.
    const badId = offer.bundle_id;
    return openGood('新版本在本机启动失败', undefined, () => st.removeBad(badId));
  }

  // 2. Verify the offered bundle.
  let result;
  try {
    result = await downloadAndVerify(offer, {
      server,
      fetch: env.fetch,
      keys: config.keys && config.keys.length ? config.keys : offer.keys,
      limits: config.limits,
    });
  } catch (e) {
    // Not a verdict on the bundle (network, server error): try again next launch.
    const detail = e instanceof DownloadError ? '网络异常，无法下载新版本' : '无法下载新版本';
    return openGood(detail);
  }
  if (!result.ok) {
    send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: 'verify_failed', reason: result.reason });
    return openGood(REASON_TEXT[result.reason] || '更新包校验失败', result.reason);
  }
  if (result.envelope.manifest.bundle_id !== offer.bundle_id) {
    // The answer names one bundle and carries another's manifest: open neither.
    send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: 'verify_failed', reason: 'bundle_id_mismatch' });
    return openGood(REASON_TEXT.bundle_id_mismatch, 'bundle_id_mismatch');
  }
  const ref: BundleRef = { bundle_id: offer.bundle_id, release_id: offer.release_id, entry: result.envelope.manifest.entry };
  send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: 'downloaded' });
  if (offer.rollback && good) {
    send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: 'rolled_back' });
  }
  st.setPending(ref);
  st.setBooting(ref.bundle_id);
  await settle();
  const url = bundleUrl(appId, ref.bundle_id, ref.entry);
  env.navigate(url);
  return { action: 'navigate', url, bundle_id: ref.bundle_id, via: 'update' };
}
