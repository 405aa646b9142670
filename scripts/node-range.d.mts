/** Whether `version` (`20.20.2` or `v20.20.2`) is inside `range` (`^a.b.c` and `>=a.b.c` joined by `||`). */
export function satisfiesRange(version: string, range: string): boolean;
