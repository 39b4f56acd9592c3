import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Reference vectors live in ../shared/vectors beside the clone and are never copied in.
 * Where they are absent a developer gets a skip with the reason; under CI their absence
 * is a failure, because a green run that checked nothing would be a lie.
 */
export const vectorsDir = fileURLToPath(new URL("../../../shared/vectors", import.meta.url));

export function vectorsAvailable(): boolean {
  if (existsSync(vectorsDir)) return true;
  if (process.env.CI === "true") {
    throw new Error(`reference vectors are required under CI but ${vectorsDir} is missing`);
  }
  console.warn(`SKIP: reference vectors not found at ${vectorsDir}; vector tests are skipped`);
  return false;
}
