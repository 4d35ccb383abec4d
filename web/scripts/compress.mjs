// Writes a gzip copy (name + ".gz") beside every built text file that compression makes
// smaller, so the Python server sends compressed files without compressing per request
// (src/nexus/kit/static.py). Run after `vite build`, which empties the folder first.
//   node scripts/compress.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'src', 'nexus', 'static');
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

let raw = 0;
let packed = 0;
let count = 0;
for (const path of files(outDir)) {
  if (!COMPRESSIBLE.test(path)) continue;
  const data = readFileSync(path);
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  if (gz.length >= data.length) continue;
  writeFileSync(`${path}.gz`, gz);
  raw += data.length;
  packed += gz.length;
  count += 1;
}
console.log(`gzip: ${count} files, ${(raw / 1024).toFixed(1)} kB → ${(packed / 1024).toFixed(1)} kB`);
