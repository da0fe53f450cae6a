// The current locale (remembered in localStorage) and t(): reactive, so every screen re-renders on a switch.
import { ref } from 'vue';
import { LOCALES, translate, type Locale, type MessageKey } from './messages';

const KEY = 'tessera.locale';
const stored = localStorage.getItem(KEY);
export const locale = ref<Locale>(LOCALES.find((l) => l === stored) ?? (navigator.language.startsWith('zh') ? 'zh-CN' : 'en'));

export function setLocale(next: Locale): void {
  locale.value = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale.value, key, params);
}
