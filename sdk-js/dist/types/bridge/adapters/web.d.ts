import type { Adapter, Ctx } from '../adapter';
import type { UiStyle } from '../types';
/** uiStyleOfPage is the display mode where the container has none: __GOVAPP__.uiStyle, else ?ui_style=elder from the portal. */
export declare function uiStyleOfPage(ctx: Ctx): UiStyle;
/** webAdapter implements the API with web platform features only. */
export declare function webAdapter(ctx: Ctx): Adapter;
