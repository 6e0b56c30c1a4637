// basic template: a first screen with device features through the unified JS API (window.govapp).
// Change the text in index.html and the actions below; govapp.json lists the permissions
// (jsapi_permissions) every govapp.* call here needs.
import './style.css';
import { errorText, Govapp, loadSDK, ready } from './govapp';
import { followContainer, initElder } from './elder';

initElder();

const out = document.getElementById('out') as HTMLElement;

function say(text: string, isError = false): void {
  out.textContent = text;
  out.classList.toggle('error', isError);
}

/** run calls one device feature and shows its answer or its error. */
function run(action: (govapp: Govapp) => Promise<string>): void {
  loadSDK().then((govapp) => {
    if (!govapp) {
      say('未能加载政务轻应用 SDK，请检查网络后重试。', true);
      return;
    }
    return action(govapp).then(say, (e) => say(errorText(e), true));
  });
}

const actions: { [name: string]: (govapp: Govapp) => Promise<string> } = {
  scan: (govapp) => govapp.scan({ type: 'any' }).then((r) => '扫描结果：' + r.text),
  location: (govapp) =>
    govapp.getLocation({ type: 'gcj02' }).then((r) => `当前位置：${r.latitude.toFixed(5)}, ${r.longitude.toFixed(5)}（${r.coordType.toUpperCase()}）`),
  share: (govapp) => govapp.share({ title: document.title, desc: '欢迎使用' }).then((r) => (r.via === 'menu' ? '请点击右上角菜单分享。' : '已分享。')),
};

document.querySelectorAll<HTMLButtonElement>('[data-action]').forEach((b) => {
  const action = actions[b.dataset.action || ''];
  if (action) b.addEventListener('click', () => run(action));
});

// The first screen is up: mark it (tests wait for data-ready) and tell the platform.
document.body.setAttribute('data-ready', '1');
loadSDK().then((govapp) => {
  ready(govapp);
  followContainer(govapp);
});
