// Holds the Model being served and swaps it atomically when a new version is published.
import type { Model } from './model.js';

export interface PublishedModel {
  readonly model: Model;
  /** Version number from the schema history. */
  readonly version: number;
}

export type ModelListener = (next: PublishedModel) => void;

export class ModelHolder {
  private published: PublishedModel;
  private readonly listeners = new Set<ModelListener>();

  constructor(initial: PublishedModel) {
    this.published = initial;
  }

  current(): PublishedModel {
    return this.published;
  }

  swap(next: PublishedModel): void {
    this.published = next;
    for (const listener of this.listeners) listener(next);
  }

  onSwap(listener: ModelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
