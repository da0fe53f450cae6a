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

  /**
   * Listeners prepare what they serve from `next` first; if one throws (this engine cannot serve the Model),
   * the current Model stays.
   */
  swap(next: PublishedModel): void {
    for (const listener of this.listeners) listener(next);
    this.published = next;
  }

  onSwap(listener: ModelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
