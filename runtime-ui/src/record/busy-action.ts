// A panel's one-at-a-time action: the panel's buttons wait while it runs, the panel reloads after it, and a
// refusal is shown in the panel's own words (`describe`) instead of being thrown away.
import { ref } from 'vue';

export function useBusyAction(reload: () => Promise<void>, describe: (e: unknown) => string) {
  const busy = ref(false);
  const error = ref('');
  async function run(work: () => Promise<void>): Promise<void> {
    busy.value = true;
    error.value = '';
    try {
      await work();
      await reload();
    } catch (e) {
      error.value = describe(e);
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, run };
}
