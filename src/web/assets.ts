import { createHash } from "node:crypto";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import type { AssetUrls } from "./page-context.ts";

/** One file the browser may load: a bundle, a split chunk or the stylesheet. */
export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export interface Assets {
  urls: AssetUrls;
  /** By file name (the part after /assets/). */
  files: Map<string, Asset>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const ASSET_PREFIX = "/assets/";

/**
 * Bundles the client islands (code-split, so a page loads the chart library only if it shows a
 * chart) and the stylesheet with esbuild, in memory, once per process. File names carry a
 * content hash, so browsers may cache them for good. esbuild is an npm dependency with its
 * binary in the package: nothing is fetched at run time.
 */
async function build(): Promise<Assets> {
  const result = await esbuild.build({
    entryPoints: [join(HERE, "client/main.ts"), join(HERE, "styles.css")],
    bundle: true,
    splitting: true,
    format: "esm",
    minify: true,
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    outdir: join(HERE, "out"),
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const files = new Map<string, Asset>();
  let css = "";
  let js = "";
  for (const file of result.outputFiles) {
    const name = relative(join(HERE, "out"), file.path);
    const body = Buffer.from(file.contents);
    const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    files.set(name, { body, type, etag });
    if (name.startsWith("styles-") && name.endsWith(".css")) css = ASSET_PREFIX + name;
    if (name.startsWith("main-") && name.endsWith(".js")) js = ASSET_PREFIX + name;
  }
  if (!css || !js) throw new Error("the web assets did not build: no stylesheet or script");
  return { urls: { css, js }, files };
}

let built: Promise<Assets> | null = null;

export function webAssets(): Promise<Assets> {
  built ??= build();
  return built;
}

/** The gzipped size of a set of asset files: what a page costs to download. */
export function gzippedBytes(assets: Assets, names: Iterable<string>): number {
  let total = 0;
  for (const name of names) {
    const file = assets.files.get(name);
    if (file) total += gzipSync(file.body, { level: 9 }).length;
  }
  return total;
}
