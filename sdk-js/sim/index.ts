// installSim: one entry for every fake container (tests import it; the
// browser build wraps it as window.govappSim).

import { installAlipay } from './alipay';
import type { Sim, SimContainer, SimOptions } from './core';
import { installNative } from './native';
import { installWechat } from './wechat';
import { installZlb } from './zlb';

export type { Call, Mock, Sim, SimContainer, SimOptions } from './core';
export { NATIVE_METHODS } from './native';

/** SIM_CONTAINERS are the containers the sim can fake. */
export const SIM_CONTAINERS: SimContainer[] = ['wechat', 'alipay', 'zlb', 'govapp'];

/** installSim fakes container on win: its bridge objects, its user agent, its ready event. */
export function installSim(win: any, container: SimContainer, opts?: SimOptions): Sim {
  const o = opts || {};
  switch (container) {
    case 'wechat':
      return installWechat(win, o);
    case 'alipay':
      return installAlipay(win, o);
    case 'zlb':
      return installZlb(win, o);
    case 'govapp':
      return installNative(win, o);
    default:
      throw new Error('govappSim: unknown container ' + container + ' (wechat, alipay, zlb, govapp)');
  }
}
