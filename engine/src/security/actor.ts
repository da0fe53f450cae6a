// Who is acting: set by authentication for every request, carried into writes, audit rows and plugin hooks.
export interface Actor {
  readonly id: string | null;
  readonly username: string;
  readonly orgUnitId: string | null;
  readonly isSystem: boolean;
}
