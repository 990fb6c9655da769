import type { Meta } from "../lib/meta.ts";
import json from "./meta.json";

/**
 * GET /api/meta as the server answers it with its built-in modes and channels, for component tests
 * (the modules themselves are Node packages the dashboard never imports). e2e/meta.test.ts checks
 * it against a running server's answer; regenerate it from apps/server with:
 *   node --import tsx -e 'const {BUILT_IN_MODES:m}=await import("@crondeck/executor"),{BUILT_IN_CHANNELS:c}=await import("@crondeck/notify"),d=(x)=>({name:x.name,label:x.label,fields:x.form,empty:x.empty,...(x.executorGroupHint?{executorGroupHint:x.executorGroupHint}:{}),...(x.runOverrides?{runFields:Object.keys(x.runOverrides.fields)}:{})});console.log(JSON.stringify({modes:m.map(d),channels:c.map(d)},null,2))' > ../web/src/test/meta.json
 */
export const META: Meta = json as Meta;
