// Each viewer's Cube data model (their scope in every cube's SQL, their hidden fields left out), built once per Model
// version, user, grants and locale and kept for Cube's compiler cache, which is keyed the same way (contextToAppId).
import { createHash } from 'node:crypto';
import type { Access } from '../security/access.js';
import { buildCubeModel, type CubeFilesDeps, type CubeModel } from './build-cube-files.js';

const MAX_VIEWERS = 200;

export interface ViewerRequest {
  readonly modelVersion: number;
  readonly userId: string;
  /** What the user's Access is built from (roles, org units, manager chain): a change gives a new model. */
  readonly basis: unknown;
  readonly locale: string;
  readonly access: Access;
}

export class CubeViewers {
  private readonly models = new Map<string, CubeModel>();

  constructor(private readonly deps: () => CubeFilesDeps) {}

  /** The viewer's key (Cube's app id), building their model when it is not kept. */
  ensure(request: ViewerRequest): string {
    const basis = createHash('sha256').update(JSON.stringify(request.basis)).digest('hex').slice(0, 16);
    const key = `${request.modelVersion}:${request.userId}:${basis}:${request.locale}`;
    const kept = this.models.get(key);
    if (kept) {
      // Most recently used last: the oldest unused model goes first.
      this.models.delete(key);
      this.models.set(key, kept);
      return key;
    }
    const { access } = request;
    const model = buildCubeModel(
      this.deps(),
      {
        canRead: (entity) => access.can(entity, 'read'),
        isHidden: (entity, field) => access.field(entity, field) === 'hidden',
        readScope: access.readScope,
      },
      request.locale,
    );
    if (this.models.size >= MAX_VIEWERS) {
      const oldest = this.models.keys().next();
      if (!oldest.done) this.models.delete(oldest.value);
    }
    this.models.set(key, model);
    return key;
  }

  /** The model of a key ensure() gave; a key no longer kept is a broken invariant (ensure runs on every request). */
  get(key: string): CubeModel {
    const model = this.models.get(key);
    if (!model) throw new Error(`no Cube model is kept for ${key}`);
    return model;
  }
}
