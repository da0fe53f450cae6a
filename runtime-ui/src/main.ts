// Entry of the runtime UI: the shell only. Lists (ag-grid) and record pages (rjsf in a React island) are loaded
// on demand by their routes, so the first load stays small.
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import './styles/app.css';

createApp(App).use(router).mount('#app');
