// The package `greeting` (an index module).
export enum Tone {
  Plain,
  Warm,
}

export function greet(who: string, tone: Tone): string {
  return tone === Tone.Warm ? `hello, dear ${who}` : `hello, ${who}`;
}
