// FNAUDIT_MIN=1: production build, minified, numeric module ids (the usual
// serverless-webpack deploy). Otherwise a development build whose module ids
// and pathinfo comments name each node_modules file.
// FNAUDIT_MAP: map (shipped index.js.map), inline (data: URL) or none.
const path = require('path');
const min = process.env.FNAUDIT_MIN === '1';
const map = process.env.FNAUDIT_MAP;
module.exports = {
  mode: min ? 'production' : 'development',
  target: 'node',
  entry: './index.js',
  output: { path: path.resolve(process.env.FNAUDIT_OUT), filename: 'index.js', library: { type: 'commonjs2' } },
  devtool: map === 'map' ? 'nosources-source-map' : map === 'inline' ? 'inline-nosources-source-map' : false,
  optimization: { minimize: min },
};
