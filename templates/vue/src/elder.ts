// 适老化: a large-print mode. The citizen's own choice (the switch) is kept in localStorage and
// wins; without one, the page follows the container's setting (govapp.getUiStyle(): 浙里办 and
// the gov app have a 长辈版), else the portal's ?ui_style=elder.
import type { Govapp } from './govapp';

const KEY = 'govapp.uiStyle';

type UiStyle = 'normal' | 'elder';

function stored(): UiStyle | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'elder' || v === 'normal' ? v : null;
  } catch (_) {
    return null; // storage disabled
  }
}

function apply(style: UiStyle, button: HTMLButtonElement | null): void {
  document.documentElement.classList.toggle('elder', style === 'elder');
  if (button) {
    button.setAttribute('aria-pressed', style === 'elder' ? 'true' : 'false');
    button.textContent = style === 'elder' ? '标准版' : '长辈版';
    button.title = style === 'elder' ? '切换到标准字号' : '切换到大字号（适老化）';
  }
}

/** initElder applies the saved or URL style at once and wires the switch (an element with data-govapp-elder). */
export function initElder(): void {
  const button = document.querySelector<HTMLButtonElement>('[data-govapp-elder]');
  const fromURL = /[?&]ui_style=elder\b/.test(location.search) ? 'elder' : null;
  apply(stored() || fromURL || 'normal', button);
  if (button) {
    button.addEventListener('click', () => {
      const next: UiStyle = document.documentElement.classList.contains('elder') ? 'normal' : 'elder';
      try {
        localStorage.setItem(KEY, next);
      } catch (_) {
        // not saved: the switch still works for this visit
      }
      apply(next, button);
    });
  }
}

/** followContainer asks the container for its style when the citizen has not chosen one. */
export function followContainer(govapp: Govapp | undefined): void {
  if (!govapp || typeof govapp.getUiStyle !== 'function' || stored()) return;
  govapp.getUiStyle().then(
    (r) => {
      if (!stored() && r && (r.uiStyle === 'elder' || r.uiStyle === 'normal')) {
        apply(r.uiStyle, document.querySelector<HTMLButtonElement>('[data-govapp-elder]'));
      }
    },
    () => {
      // no answer: keep the current style
    },
  );
}
