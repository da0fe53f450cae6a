// How the metadata checks report a problem: a JSON pointer into the pack file, the rule broken and its message.
export type Report = (problem: { pointer: string; rule: string; message: string; field?: string }) => void;
