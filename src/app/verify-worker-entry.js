// Worker threads do not inherit a loader registered in code, so this plain module registers
// tsx before loading the TypeScript worker (it is harmless where TypeScript already loads).
import { register } from "tsx/esm/api";

register();
await import("./verify-worker.ts");
