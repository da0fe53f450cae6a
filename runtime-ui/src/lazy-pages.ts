// The pages most opened from the shell, loaded on demand: the router's routes, and the shell's prefetch of their code
// once the browser is idle, so that the first list or record a user opens does not wait for it (the code the shell
// needs for its first paint is unchanged).
export const ListView = () => import('./list/ListView.vue');
export const RecordView = () => import('./record/RecordView.vue');

export function prefetchPages(): void {
  // A prefetch that fails (the network, the engine stopping) costs nothing: the page loads its code when opened.
  const fetchCode = () => void Promise.all([ListView(), RecordView()]).catch(() => undefined);
  if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(fetchCode, { timeout: 5000 });
  else setTimeout(fetchCode, 2000);
}
