// 微查询 template: a form that validates the input, asks a department's JSON data service and
// shows the result — the shape of 社保查询 / 公积金查询.
//
// ENDPOINT is the service. Out of the box it is the demo file public/data/query.json, so the
// page works at once; point it at the department's service (through the platform's API
// gateway) when it is connected. The service answers GET ENDPOINT?idno=…&name=… with
//   {"records": [{"idno": "…", "name": "…", "fields": [["label", "value"], …]}]}
import './style.css';
import { errorText, loadSDK, ready } from './govapp';
import { followContainer, initElder } from './elder';

export const ENDPOINT = 'data/query.json';
/** HOTLINE is the department's phone line shown under the result. */
export const HOTLINE = '12345';
/** DEMO fills the form with a record of the demo file; set it to null with a real service. */
const DEMO: { idno: string; name: string } | null = { idno: '11010519491231002X', name: '张三' };

interface QueryRecord {
  idno: string;
  name: string;
  fields: [string, string][];
}

// validIDNumber checks the 18-digit resident ID number, including its check digit (GB 11643).
export function validIDNumber(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const codes = '10X98765432';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * weights[i];
  return codes[sum % 11] === id[17].toUpperCase();
}

/** queryService asks the service; null means no record for this person. */
async function queryService(idno: string, name: string): Promise<QueryRecord | null> {
  const url = ENDPOINT + (ENDPOINT.indexOf('?') < 0 ? '?' : '&') + 'idno=' + encodeURIComponent(idno) + '&name=' + encodeURIComponent(name);
  const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) throw new Error('HTTP ' + res.status);
  const body = (await res.json()) as { records?: QueryRecord[] };
  // A real service returns only the matching record; the demo file holds them all.
  const hit = (body.records || []).filter((r) => r.idno.toUpperCase() === idno.toUpperCase() && r.name === name);
  return hit.length ? hit[0] : null;
}

function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

initElder();

const form = document.getElementById('query') as HTMLFormElement;
const result = document.getElementById('result') as HTMLElement;
const submit = form.querySelector('button[type=submit]') as HTMLButtonElement;

function show(html: string): void {
  result.innerHTML = html;
  result.hidden = false;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const data = new FormData(form);
  const idno = String(data.get('idno') || '').trim();
  const name = String(data.get('name') || '').trim();
  if (!validIDNumber(idno)) {
    show('<p class="error">身份证号格式不正确，请检查后重试。</p>');
    return;
  }
  if (!name) {
    show('<p class="error">请输入姓名。</p>');
    return;
  }
  submit.disabled = true;
  submit.textContent = '查询中…';
  try {
    const r = await queryService(idno, name);
    if (!r) {
      show('<p>没有查到记录，请核对身份证号和姓名。</p>');
    } else {
      const rows = r.fields.map(([k, v]) => `<dt>${escapeHTML(k)}</dt><dd>${escapeHTML(v)}</dd>`).join('');
      show(`<h2>查询结果</h2><dl data-result><dt>姓名</dt><dd>${escapeHTML(r.name)}</dd>${rows}</dl>`);
    }
  } catch (_) {
    show('<p class="error">查询服务暂时不可用，请稍后再试。</p>');
  } finally {
    submit.disabled = false;
    submit.textContent = '查询';
  }
});

const demo = document.getElementById('demo') as HTMLButtonElement;
if (DEMO) {
  demo.hidden = false;
  demo.addEventListener('click', () => {
    (form.elements.namedItem('idno') as HTMLInputElement).value = DEMO.idno;
    (form.elements.namedItem('name') as HTMLInputElement).value = DEMO.name;
  });
}

const hotline = document.getElementById('hotline') as HTMLButtonElement;
hotline.textContent = '咨询热线 ' + HOTLINE;
hotline.addEventListener('click', () => {
  loadSDK().then((govapp) => {
    if (govapp) return govapp.phoneCall({ number: HOTLINE }).catch((e) => show(`<p class="error">${escapeHTML(errorText(e))}</p>`));
    location.href = 'tel:' + HOTLINE;
  });
});

document.body.setAttribute('data-ready', '1');
loadSDK().then((govapp) => {
  ready(govapp);
  followContainer(govapp);
});
