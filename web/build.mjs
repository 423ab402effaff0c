// Build the web app into ONE self-contained, deterministic index.html:
// the bundled script and styles are inlined, and a Content-Security-Policy
// allows only that exact script (by its sha256), so no injected script runs.
// Usage: node build.mjs [--outdir DIR]   (default: ../mentor/server/static)
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf("--outdir");
const outdir = resolve(here, outIndex >= 0 ? args[outIndex + 1] : "../mentor/server/static");

const result = await esbuild.build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  write: false,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  charset: "utf8",
  outdir: "out",
  logLevel: "warning",
});
const pick = (ext) => {
  const file = result.outputFiles.find((f) => f.path.endsWith(ext));
  if (!file) throw new Error(`esbuild produced no ${ext}`);
  return file.text;
};
// "</script" inside the bundle would end the inline script early
const js = pick(".js").replace(/<\/script/gi, "<\\/script");
const css = pick(".css").replace(/<\/style/gi, "<\\/style");
const scriptHash = createHash("sha256").update(js, "utf8").digest("base64");
const csp = [
  "default-src 'self'",
  `script-src 'sha256-${scriptHash}'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src * data: blob:",
  "media-src * data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
// the tab's icon, inline: no request for /favicon.ico (a 404 in every page load's console)
const icon = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f5bd3"/>' +
    '<path d="M8 23V9l8 9 8-9v14" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/></svg>',
)}`;
const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="${icon}">
<title>mentor</title>
<style>${css}</style>
</head>
<body>
<div id="app"></div>
<noscript>mentor needs JavaScript to show the annotation app.</noscript>
<script>${js}</script>
</body>
</html>
`;
mkdirSync(outdir, { recursive: true });
writeFileSync(join(outdir, "index.html"), html);
console.log(`wrote ${join(outdir, "index.html")} (${(html.length / 1024).toFixed(1)} KiB)`);
