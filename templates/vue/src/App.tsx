/** @jsxRuntime automatic @jsxImportSource vue */
// (The pragma makes esbuild compile the TSX to Vue's own JSX runtime; tsconfig.json keeps
// "jsx": "preserve" as Vue recommends, so tsc type-checks it against Vue's JSX types.)
//
// The first screen: a welcome card and three device features. State is a Vue ref; each button
// runs one govapp.* call and shows its answer or its error in Chinese.
import { defineComponent, ref } from 'vue';
import { errorText, Govapp, loadSDK } from './govapp';

type Action = { name: string; label: string; secondary?: boolean; run: (govapp: Govapp) => Promise<string> };

const actions: Action[] = [
  { name: 'scan', label: '扫一扫', run: (govapp) => govapp.scan({ type: 'any' }).then((r) => '扫描结果：' + r.text) },
  {
    name: 'location',
    label: '我的位置',
    run: (govapp) =>
      govapp.getLocation({ type: 'gcj02' }).then((r) => `当前位置：${r.latitude.toFixed(5)}, ${r.longitude.toFixed(5)}（${r.coordType.toUpperCase()}）`),
  },
  {
    name: 'share',
    label: '分享',
    secondary: true,
    run: (govapp) => govapp.share({ title: document.title, desc: '欢迎使用' }).then((r) => (r.via === 'menu' ? '请点击右上角菜单分享。' : '已分享。')),
  },
];

export default defineComponent({
  name: 'App',
  setup() {
    const out = ref('');
    const isError = ref(false);
    const busy = ref(false);

    function say(text: string, error = false): void {
      out.value = text;
      isError.value = error;
    }

    function run(a: Action): void {
      busy.value = true;
      const done = (text: string, error = false) => {
        busy.value = false;
        say(text, error);
      };
      loadSDK().then((govapp) => {
        if (!govapp) {
          done('未能加载政务轻应用 SDK，请检查网络后重试。', true);
          return;
        }
        a.run(govapp).then(
          (text) => done(text),
          (e) => done(errorText(e), true),
        );
      });
    }

    return () => (
      <>
        <section class="card">
          <h2>欢迎</h2>
          <p>
            这是用 <code>govapp init --template vue</code> 创建的政务轻应用（Vue 3）。修改 <code>src/App.tsx</code>，运行 <code>govapp dev</code> 在手机上实时预览。
          </p>
        </section>
        <section class="card">
          <h2>设备能力</h2>
          <div class="grid">
            {actions.map((a) => (
              <button type="button" key={a.name} class={a.secondary ? 'btn secondary' : 'btn'} data-action={a.name} disabled={busy.value} onClick={() => run(a)}>
                {a.label}
              </button>
            ))}
          </div>
          <p id="out" class={isError.value ? 'out error' : 'out'} role="status" aria-live="polite">
            {out.value}
          </p>
        </section>
        <p class="note">在微信、支付宝、浙里办和政务 App 中使用同一套接口（window.govapp）。</p>
      </>
    );
  },
});
