// 微查询 template: a form that validates input, asks the department's service and shows the
// result. Replace queryService with the real call (through the platform's API gateway).
import './style.css';

interface QueryResult {
  name: string;
  balance: string;
  lastPaid: string;
}

declare global {
  interface Window {
    govapp?: { ready(): void };
  }
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

async function queryService(idno: string, name: string): Promise<QueryResult> {
  // Demo data until the department's service is connected.
  return { name, balance: '¥ 12,345.67', lastPaid: '2026-10' };
}

function show(el: HTMLElement, html: string): void {
  el.innerHTML = html;
  el.hidden = false;
}

function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const form = document.getElementById('query') as HTMLFormElement;
const result = document.getElementById('result') as HTMLElement;
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const data = new FormData(form);
  const idno = String(data.get('idno') || '').trim();
  const name = String(data.get('name') || '').trim();
  if (!validIDNumber(idno)) {
    show(result, '<p class="error">身份证号格式不正确，请检查后重试。</p>');
    return;
  }
  try {
    const r = await queryService(idno, name);
    show(result, `<dl><dt>姓名</dt><dd>${escapeHTML(r.name)}</dd><dt>账户余额</dt><dd>${escapeHTML(r.balance)}</dd><dt>最近缴存</dt><dd>${escapeHTML(r.lastPaid)}</dd></dl>`);
  } catch {
    show(result, '<p class="error">查询服务暂时不可用，请稍后再试。</p>');
  }
});

document.body.setAttribute('data-ready', '1');
window.govapp?.ready();
