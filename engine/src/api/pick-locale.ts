// The locale a response's labels are in: `?locale=` when it names one the packs are written in, else the
// Accept-Language header's Chinese or English. Used by /api/meta and explain.
const SUPPORTED_LOCALES = ['en', 'zh-CN'];

export function pickLocale(query: unknown, acceptLanguage: string): string {
  if (typeof query === 'string' && SUPPORTED_LOCALES.includes(query)) return query;
  return /^\s*zh/i.test(acceptLanguage) ? 'zh-CN' : 'en';
}
