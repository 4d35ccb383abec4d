// Gzipped size of what the browser downloads on the first visit: index.html's entry script,
// the chunks it preloads (modulepreload) and its stylesheets. Lazy pages (admin) are listed
// apart. Fails when the first-load JavaScript exceeds the budget.
//   node scripts/bundle-size.mjs [budget-kB]   (default 300)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'src', 'nexus', 'static');
const budgetKb = Number(process.argv[2] ?? 300);

const html = readFileSync(join(outDir, 'index.html'), 'utf8');
const refs = new Set();
for (const match of html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"[^>]*>/g)) {
  const tag = match[0];
  const url = match[1];
  if (!url.startsWith('/assets/')) continue;
  if (tag.startsWith('<script') || /rel="(modulepreload|stylesheet)"/.test(tag)) refs.add(url);
}

const gz = (file) => gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length;
const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(7) + ' kB';

let firstJs = 0;
let firstCss = 0;
console.log('First load (gzip):');
for (const url of refs) {
  const size = gz(url);
  if (url.endsWith('.js')) firstJs += size;
  else firstCss += size;
  console.log(`  ${kb(size)}  ${url}`);
}
console.log(`  ${kb(firstJs)}  = JavaScript (budget ${budgetKb} kB)`);
console.log(`  ${kb(firstCss)}  = CSS`);

console.log('Loaded on demand (gzip):');
for (const file of readdirSync(join(outDir, 'assets')).sort()) {
  const url = `/assets/${file}`;
  if (!refs.has(url) && file.endsWith('.js')) console.log(`  ${kb(gz(url))}  ${url}`);
}

if (firstJs / 1024 > budgetKb) {
  console.error(`First-load JavaScript is over budget: ${(firstJs / 1024).toFixed(1)} kB > ${budgetKb} kB`);
  process.exit(1);
}
