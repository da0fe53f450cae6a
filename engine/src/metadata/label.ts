// A text in every language a pack gives it; English always (the fallback), others by locale code ('zh-CN').
export type Label = Readonly<{ en: string } & Record<string, string>>;
