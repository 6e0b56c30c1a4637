// vue template: Vue 3 with components in TSX (no .vue files, so the build needs no Node.js
// plugin: govapp build bundles it with esbuild alone). Run `npm install` once first.
// Device features go through the unified JS API (window.govapp) only; govapp.json lists the
// permissions (jsapi_permissions) every govapp.* call here needs.
import './style.css';
import { createApp } from 'vue';
import App from './App';
import { loadSDK, ready } from './govapp';
import { followContainer, initElder } from './elder';

initElder();
createApp(App).mount('#app');

// The first screen is up: mark it (tests wait for data-ready) and tell the platform.
document.body.setAttribute('data-ready', '1');
loadSDK().then((govapp) => {
  ready(govapp);
  followContainer(govapp);
});
