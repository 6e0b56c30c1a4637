// 微网站 template: an article list and article pages from a JSON feed, with hash routing
// (#/ is the list, #/a/<id> an article), so the site is one page that works offline-first
// inside any container and needs no server routes.
//
// FEED is the feed: public/data/articles.json out of the box. Point it at the department's
// content service, or keep editing the file, when the site goes live. Its shape:
//   {"site": "…", "intro": "…", "articles": [{"id", "title", "date", "source?", "summary", "body": ["paragraph", …]}]}
import './style.css';
import { errorText, loadSDK, ready } from './govapp';
import { followContainer, initElder } from './elder';

export const FEED = 'data/articles.json';

interface Article {
  id: string;
  title: string;
  date: string;
  source?: string;
  summary: string;
  body: string[];
}

interface Feed {
  site: string;
  intro?: string;
  articles: Article[];
}

function escapeHTML(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

initElder();

const view = document.getElementById('view') as HTMLElement;
const heading = document.getElementById('site') as HTMLElement;
let feed: Feed | null = null;
let firstRender = true;

function loadFeed(): Promise<Feed> {
  return fetch(FEED, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then((res) => {
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json() as Promise<Feed>;
  });
}

function renderList(f: Feed): void {
  document.title = f.site;
  const items = f.articles
    .map(
      (a) =>
        `<li><a href="#/a/${encodeURIComponent(a.id)}"><h2>${escapeHTML(a.title)}</h2><p>${escapeHTML(a.summary)}</p><span class="meta">${escapeHTML(a.date)}</span></a></li>`,
    )
    .join('');
  view.innerHTML = (f.intro ? `<p class="site-intro">${escapeHTML(f.intro)}</p>` : '') + `<ul class="list" data-list>${items}</ul>`;
}

function renderArticle(f: Feed, a: Article): void {
  document.title = a.title;
  const paras = a.body.map((p) => `<p>${escapeHTML(p)}</p>`).join('');
  view.innerHTML =
    `<a class="back" href="#/">‹ 返回列表</a>` +
    `<article class="card" data-article="${escapeHTML(a.id)}"><h2>${escapeHTML(a.title)}</h2>` +
    `<p class="meta">${escapeHTML(a.date)}${a.source ? ' · ' + escapeHTML(a.source) : ''}</p>${paras}</article>` +
    `<button type="button" class="btn secondary" id="share">分享给朋友</button><p id="out" class="out" role="status"></p>`;
  const out = document.getElementById('out') as HTMLElement;
  (document.getElementById('share') as HTMLButtonElement).addEventListener('click', () => {
    loadSDK().then((govapp) => {
      if (!govapp) return;
      return govapp.share({ title: a.title, desc: a.summary, link: location.href }).then(
        (r) => {
          out.textContent = r.via === 'menu' ? '请点击右上角菜单分享。' : '已分享。';
        },
        (e) => {
          out.textContent = errorText(e);
        },
      );
    });
  });
}

function render(): void {
  if (!feed) return;
  heading.textContent = feed.site;
  const m = /^#\/a\/(.+)$/.exec(location.hash);
  const article = m ? feed.articles.filter((a) => a.id === decodeURIComponent(m[1]))[0] : undefined;
  if (m && !article) {
    view.innerHTML = '<div class="card"><p>文章不存在或已下线。</p><a class="back" href="#/">‹ 返回列表</a></div>';
  } else if (article) {
    renderArticle(feed, article);
  } else {
    renderList(feed);
  }
  if (!firstRender) window.scrollTo(0, 0);
  firstRender = false;
}

window.addEventListener('hashchange', render);

loadFeed().then(
  (f) => {
    feed = f;
    render();
  },
  () => {
    view.innerHTML = '<div class="card"><p class="error">内容加载失败，请检查网络后下拉刷新或稍后再试。</p></div>';
  },
).then(() => {
  // The first screen is up (the list, an article, or the error): mark it and tell the platform.
  document.body.setAttribute('data-ready', '1');
  return loadSDK().then((govapp) => {
    ready(govapp);
    followContainer(govapp);
  });
});
