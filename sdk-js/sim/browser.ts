// Entry of dist/sim.js, the container simulation for tests and `govapp dev`
// (never served to citizens). Load it before govapp.js:
//
//   <script>window.__GOVAPP_SIM__ = {container: "wechat", platform: "ios"};</script>
//   <script src="/sdk/sim.js"></script>
//   <script src="/sdk/govapp.js"></script>
//
// or install by hand before the app's first govapp call:
//   govappSim.install("alipay", {late: true}); govappSim.setMock("scan", {error: "cancelled"});

import type { Mock, Sim, SimContainer, SimOptions } from './core';
import { installSim, SIM_CONTAINERS } from './index';

const w: any = window;
let current: Sim | null = null;

function need(): Sim {
  if (!current) throw new Error('govappSim: call govappSim.install(container) first');
  return current;
}

const api = {
  containers: SIM_CONTAINERS,
  install(container: SimContainer, opts?: SimOptions): Sim {
    current = installSim(w, container, opts);
    return current;
  },
  setMock(method: string, mock: Mock): void {
    need().setMock(method, mock);
  },
  clearMocks(): void {
    need().clearMocks();
  },
  get calls() {
    return current ? current.calls : [];
  },
  get current() {
    return current;
  },
};
w.govappSim = api;

const auto = w.__GOVAPP_SIM__;
if (auto && typeof auto === 'object' && typeof auto.container === 'string') api.install(auto.container, auto);
else {
  const m = /[?&]govapp_sim=(wechat|alipay|zlb|govapp)(?:&|$)/.exec((w.location && w.location.search) || '');
  if (m) api.install(m[1] as SimContainer, {});
}
