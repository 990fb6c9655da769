import { modeRegistry, type TaskModeModule } from "../mode.ts";
import { httpMode } from "./http.ts";
import { shellMode } from "./shell.ts";

/** The task modes every Crondeck process knows. A new mode is a module here, and this line. */
export const BUILT_IN_MODES: readonly TaskModeModule[] = [shellMode, httpMode];

export const builtInModes = modeRegistry(BUILT_IN_MODES);

export { httpMode, isCredentialHeader } from "./http.ts";
export { shellMode } from "./shell.ts";
