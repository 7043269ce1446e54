// FNAUDIT_MIN=1: minified with @rollup/plugin-terser. FNAUDIT_MAP: map,
// inline or none. FNAUDIT_IN: the entry file. The config sits beside the
// bundlers' node_modules (ESM resolves imports from the config's folder). Rollup leaves no module path comments; only the map, and
// what the packages state themselves, name the modules.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import terser from '@rollup/plugin-terser';
const min = process.env.FNAUDIT_MIN === '1';
const map = process.env.FNAUDIT_MAP;
export default {
  input: process.env.FNAUDIT_IN,
  external: ['http', 'https', 'url', 'zlib', 'stream', 'assert', 'tty', 'util', 'os', 'events', 'buffer', 'string_decoder'],
  output: {
    file: process.env.FNAUDIT_OUT + '/index.js',
    format: 'cjs',
    sourcemap: map === 'map' ? true : map === 'inline' ? 'inline' : false,
    sourcemapExcludeSources: true,
  },
  plugins: [nodeResolve({ preferBuiltins: true }), commonjs(), json(), ...(min ? [terser()] : [])],
};
