'use strict';
// Lambda handler bundled into the fnaudit fixtures (testdata/bundles). It
// pulls in real packages with published advisories so that every bundler
// has to include them: lodash 4.17.15, axios 0.21.0 (+ follow-redirects),
// event-stream 3.3.6 with flatmap-stream 0.1.1 (reconstructed, no payload),
// through 2.2.7 at the top level (event-stream's own deps get nested
// through 2.3.8 copies) and a scoped package.
const _ = require('lodash');
const axios = require('axios');
const es = require('event-stream');
const through = require('through');
const once = require('@tootallnate/once');

exports.handler = async (event) => {
  const names = _.uniq((event && event.names) || []);
  const s = through();
  const piped = s.pipe(es.mapSync((x) => x)).pipe(es.flatmapSync((x) => [x]));
  setImmediate(() => s.end());
  await once(piped, 'end').catch(() => undefined);
  return { statusCode: 200, body: JSON.stringify({ names, agent: typeof axios.get }) };
};
