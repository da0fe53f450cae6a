// Cross-references of the UI kinds, checked on the compiled Model: every entity, field, relation, view and action a
// layout, list view or menu names exists (a dashboard's, check-dashboards.ts), and names are unique where the UI looks them up.
import type { MetadataProblem } from './metadata-problem.js';
import type { EntityDef, Model } from './model.js';
import { SYSTEM_READ_COLUMNS } from './system-columns.js';
import { isMenuGroup } from './ui-model.js';
import { checkOverviews } from './check-overviews.js';
import { checkDashboards } from './check-dashboards.js';

const SYSTEM_NAMES = new Set(SYSTEM_READ_COLUMNS.map((c) => c.name));

export function checkUi(model: Model): MetadataProblem[] {
  const ui = model.ui;
  if (!ui) return [];
  const problems: MetadataProblem[] = [];
  const at = (doc: { file?: string; pack: string }, pointer: string, rule: string, message: string, entity?: string) =>
    problems.push({ file: doc.file ?? '', pack: doc.pack, pointer, rule, message, ...(entity ? { entity } : {}) });
  const entityOf = (doc: { file?: string; pack: string }, name: string, pointer: string, rule: string): EntityDef | undefined => {
    const e = model.entitiesByName[name];
    if (!e) at(doc, pointer, rule, `no entity '${name}' in the installed packs`);
    return e;
  };
  const hasField = (e: EntityDef, name: string, system: boolean) =>
    e.fields.some((f) => f.name === name) || (system && SYSTEM_NAMES.has(name));

  const layoutFor = new Map<string, string>();
  ui.layouts.forEach((layout) => {
    const e = entityOf(layout, layout.entity, '/entity', 'layout.unknown_entity');
    if (!e) return;
    const other = layoutFor.get(e.name);
    if (other) at(layout, '/entity', 'layout.duplicate', `${e.name} already has a layout (${other})`, e.name);
    layoutFor.set(e.name, layout.file ?? layout.id);
    const placed = new Set<string>();
    layout.highlights.forEach((f, i) => {
      if (!hasField(e, f, true)) at(layout, `/highlights/${i}`, 'layout.unknown_field', `${e.name} has no field '${f}'`, e.name);
    });
    // Actions are plugins' (registered after the Model compiles) or transitions: a name neither has is never shown.
    layout.tabs.forEach((tab, t) => {
      tab.sections.forEach((section, s) =>
        section.fields.forEach((f, i) => {
          const pointer = `/tabs/${t}/sections/${s}/fields/${i}`;
          if (!hasField(e, f, false)) at(layout, pointer, 'layout.unknown_field', `${e.name} has no field '${f}'`, e.name);
          else if (placed.has(f)) at(layout, pointer, 'layout.duplicate_field', `'${f}' is placed twice`, e.name);
          placed.add(f);
        }),
      );
      tab.relatedLists.forEach((r, i) => {
        const inverse = e.inverses.find((inv) => inv.name === r.relation);
        if (!inverse) {
          at(
            layout,
            `/tabs/${t}/relatedLists/${i}/relation`,
            'layout.unknown_relation',
            `${e.name} has no related list '${r.relation}'`,
            e.name,
          );
          return;
        }
        const source = model.entitiesByName[inverse.sourceEntity];
        (r.columns ?? []).forEach((c, j) => {
          if (source && !hasField(source, c, true))
            at(layout, `/tabs/${t}/relatedLists/${i}/columns/${j}`, 'layout.unknown_field', `${source.name} has no field '${c}'`, e.name);
        });
      });
    });
  });

  const viewKeys = new Set<string>();
  const defaults = new Set<string>();
  ui.listViews.forEach((view) => {
    const e = entityOf(view, view.entity, '/entity', 'list_view.unknown_entity');
    if (!e) return;
    const key = `${e.name}/${view.name}`;
    if (viewKeys.has(key)) at(view, '/name', 'list_view.duplicate', `${e.name} already has a list view '${view.name}'`, e.name);
    viewKeys.add(key);
    if (view.isDefault && defaults.has(e.name))
      at(view, '/default', 'list_view.duplicate_default', `${e.name} already has a default list view`, e.name);
    if (view.isDefault) defaults.add(e.name);
    view.columns.forEach((c, i) => {
      if (!hasField(e, c.field, true)) at(view, `/columns/${i}`, 'list_view.unknown_field', `${e.name} has no field '${c.field}'`, e.name);
    });
    if (view.board) {
      const group = e.fields.find((f) => f.name === view.board?.groupBy);
      if (!group?.values)
        at(view, '/board/groupBy', 'list_view.board_not_enum', `${e.name} has no choice field '${view.board.groupBy}' to group by`, e.name);
      view.board.cardFields.forEach((c, i) => {
        if (!hasField(e, c, true)) at(view, `/board/cardFields/${i}`, 'list_view.unknown_field', `${e.name} has no field '${c}'`, e.name);
      });
    }
    const named = [
      ...(view.calendar ? [{ name: view.calendar.date, pointer: '/calendar/date' }] : []),
      ...(view.calendar?.title ? [{ name: view.calendar.title, pointer: '/calendar/title' }] : []),
      ...(view.myTasks ? view.myTasks.dates.map((d, i) => ({ name: d, pointer: `/myTasks/dates/${i}` })) : []),
      ...(view.myTasks ? [{ name: view.myTasks.owner, pointer: '/myTasks/owner' }] : []),
    ];
    for (const { name, pointer } of named)
      if (!hasField(e, name, true)) at(view, pointer, 'list_view.unknown_field', `${e.name} has no field '${name}'`, e.name);
    const done = view.myTasks?.done;
    if (done !== undefined && !e.fields.some((f) => f.transitions?.allowed.some((t) => t.name === done)))
      at(view, '/myTasks/done', 'list_view.unknown_transition', `${e.name} has no transition '${done}'`, e.name);
    (view.footer ?? []).forEach((f, i) => {
      if (f.field !== undefined && !hasField(e, f.field, false))
        at(view, `/footer/${i}/field`, 'list_view.unknown_field', `${e.name} has no field '${f.field}'`, e.name);
    });
    view.sort.forEach((s, i) => {
      const name = s.replace(/^-/, '').split('.')[0] ?? '';
      if (!hasField(e, name, true)) at(view, `/sort/${i}`, 'list_view.unknown_field', `${e.name} has no field '${name}'`, e.name);
    });
  });

  const appNames = new Set<string>();
  ui.apps.forEach((app) => {
    if (appNames.has(app.name)) at(app, '/name', 'app.duplicate', `another app is named '${app.name}'`);
    appNames.add(app.name);
    app.menu.forEach((entry, m) => {
      const items = isMenuGroup(entry)
        ? entry.items.map((item, i) => ({ item, pointer: `/menu/${m}/items/${i}` }))
        : [{ item: entry, pointer: `/menu/${m}` }];
      for (const { item, pointer } of items) {
        if (item.dashboard && !ui.dashboards.some((d) => d.name === item.dashboard))
          at(app, `${pointer}/dashboard`, 'app.unknown_dashboard', `no dashboard '${item.dashboard}' in the installed packs`);
        if (!item.entity) continue;
        const e = entityOf(app, item.entity, `${pointer}/entity`, 'app.unknown_entity');
        if (e && item.view && !viewKeys.has(`${e.name}/${item.view}`))
          at(app, `${pointer}/view`, 'app.unknown_view', `${e.name} has no list view '${item.view}'`, e.name);
      }
    });
  });
  problems.push(...checkOverviews(model, ui.overviews));
  problems.push(...checkDashboards(model, ui.dashboards));
  return problems;
}
