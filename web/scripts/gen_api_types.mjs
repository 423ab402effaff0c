// Generate src/api-types.ts from the server's OpenAPI schema, so the app's
// request and response types are never typed in by hand (house style §1).
// Usage: python scripts/dump_openapi.py | node scripts/gen_api_types.mjs > src/api-types.ts
// The schemas are pydantic models: objects, unions (anyOf), enums, consts,
// arrays, free-form objects and $refs. That is all this needs to handle.
import { readFileSync } from "node:fs";

const schema = JSON.parse(readFileSync(process.argv[2] ?? 0, "utf8"));

function typeOf(s) {
  if (s.$ref) return s.$ref.split("/").pop();
  if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  switch (s.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `Array<${s.items ? typeOf(s.items) : "unknown"}>`;
    case "object":
      if (s.properties) return `{ ${Object.entries(s.properties).map(([k, v]) => `${k}: ${typeOf(v)}`).join("; ")} }`;
      return "Record<string, unknown>";
    default:
      return "unknown";
  }
}

const out = [
  "// Generated from the server's OpenAPI schema by scripts/gen_api_types.mjs: do not edit.",
  "// Regenerate: python scripts/dump_openapi.py | node scripts/gen_api_types.mjs > src/api-types.ts",
  "",
];
const schemas = schema.components?.schemas ?? {};
for (const name of Object.keys(schemas).sort()) {
  const s = schemas[name];
  const required = new Set(s.required ?? []);
  out.push(`export interface ${name} {`);
  for (const [prop, def] of Object.entries(s.properties ?? {})) {
    if (def.description) out.push(`  /** ${def.description.replace(/\*\//g, "* /")} */`);
    out.push(`  ${prop}${required.has(prop) ? "" : "?"}: ${typeOf(def)};`);
  }
  out.push("}", "");
}
process.stdout.write(out.join("\n"));
