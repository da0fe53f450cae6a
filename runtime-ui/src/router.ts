// Client routes. The engine answers index.html for any of these paths (SPA fallback), never for /api/*.
import { createRouter, createWebHistory } from 'vue-router';
import { restoreSession, session } from './api/session';
import LoginView from './views/LoginView.vue';
import ShellLayout from './shell/ShellLayout.vue';
import HomeView from './views/HomeView.vue';
import { ListView, RecordView } from './lazy-pages';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    // A public form's link: no account, no shell.
    { path: '/f/:token', name: 'public-form', component: () => import('./views/PublicFormView.vue'), meta: { public: true } },
    // A share link (download a file) and an upload link (send files for review): the link is the key.
    { path: '/s/:token', name: 'public-share', component: () => import('./views/PublicShareView.vue'), meta: { public: true } },
    { path: '/u/:token', name: 'public-upload', component: () => import('./views/PublicUploadView.vue'), meta: { public: true } },
    {
      path: '/',
      component: ShellLayout,
      children: [
        { path: '', name: 'home', component: HomeView },
        { path: 'e/:entity', name: 'list', component: ListView },
        { path: 'e/:entity/new', name: 'new', component: RecordView },
        { path: 'e/:entity/:id', name: 'record', component: RecordView },
        { path: 'approvals', name: 'approvals', component: () => import('./views/ApprovalsView.vue') },
        { path: 'notifications', name: 'notifications', component: () => import('./views/NotificationsView.vue') },
        { path: 'tasks', name: 'tasks', component: () => import('./views/TasksView.vue') },
        { path: 'd/:name', name: 'dashboard', component: () => import('./dashboard/DashboardView.vue') },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

let restored = false;
router.beforeEach(async (to) => {
  if (to.name === 'public-form' || to.name === 'public-share' || to.name === 'public-upload') return true;
  if (!restored) {
    restored = true;
    await restoreSession();
  }
  if (!to.meta.public && !session.user) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.name === 'login' && session.user) return { name: 'home' };
  return true;
});
