// Build the tracker into the Python package and enforce the size budget.
//
//   node build.mjs            minify src/tracker.js → ../collector/static/tracker.js
//   node build.mjs --check    fail when the committed file differs from a fresh build
//   node build.mjs --freeze   publish the current build as collector.v1.js (once: a
//                             published version never changes; refuses to overwrite)
//
// Every mode fails when the build is over BUDGET bytes minified + gzipped (gzip -9 and the
// default level -6 are both checked) and prints the measured sizes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

export const BUDGET = 2048;
const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'src', 'tracker.js');
const STATIC = join(here, '..', 'collector', 'static');
const OUTPUT = join(STATIC, 'tracker.js');
const FROZEN = join(STATIC, 'collector.v1.js');

export async function build() {
  const source = readFileSync(SOURCE, 'utf8');
  const result = await minify(source, {
    ecma: 2020,
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
    mangle: true,
    format: { comments: false, ecma: 2020 },
  });
  return result.code + '\n';
}

export function sizes(code) {
  const bytes = Buffer.from(code, 'utf8');
  return {
    minified: bytes.length,
    gzip9: gzipSync(bytes, { level: 9 }).length,
    gzip6: gzipSync(bytes, { level: 6 }).length,
  };
}

async function main(argv) {
  const code = await build();
  const s = sizes(code);
  console.log(`tracker: ${s.minified} bytes minified, ${s.gzip9} gzip -9, ${s.gzip6} gzip -6 (budget ${BUDGET})`);
  if (Math.max(s.gzip9, s.gzip6) > BUDGET) {
    console.error(`over budget: ${Math.max(s.gzip9, s.gzip6)} > ${BUDGET} bytes minified + gzipped`);
    return 1;
  }
  if (argv.includes('--check')) {
    const committed = existsSync(OUTPUT) ? readFileSync(OUTPUT, 'utf8') : '';
    if (committed !== code) {
      console.error('collector/static/tracker.js differs from a fresh build: run `npm run build` in tracker-js/');
      return 1;
    }
    console.log('collector/static/tracker.js matches a fresh build');
    return 0;
  }
  if (argv.includes('--freeze')) {
    if (existsSync(FROZEN)) {
      console.error('collector.v1.js is published and never changes; publish a new version (v2) instead');
      return 1;
    }
    writeFileSync(FROZEN, code);
    console.log(`wrote ${FROZEN}`);
    return 0;
  }
  writeFileSync(OUTPUT, code);
  console.log(`wrote ${OUTPUT}`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
