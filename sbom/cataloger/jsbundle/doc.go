// Package jsbundle finds the npm packages inside bundled JavaScript (esbuild,
// webpack, rollup output such as AWS CDK's NodejsFunction or SAM's esbuild
// builds), where no node_modules directory is shipped and syft sees nothing.
//
// For each bundle (a .js, .mjs or .cjs file outside node_modules that shows
// signs of bundling) it reads, in this order:
//
//  1. the source map, shipped (sourceMappingURL, or <bundle>.map) or inline
//     (sourceMappingURL=data:): every node_modules source names a package
//     and its exact nested path;
//  2. the module path comments and module ids esbuild and webpack leave in
//     unminified output (rollup leaves none);
//  3. a lockfile shipped beside the bundle or in a parent folder, for
//     versions: node_modules/a/node_modules/b maps to exactly that entry of
//     package-lock.json / npm-shrinkwrap.json (v1-v3); yarn.lock and
//     pnpm-lock.yaml give a version only when the name has one;
//  4. version banners the bundled packages state themselves (an inlined
//     package.json {name, version}, lodash's VERSION constant).
//
// A bundle whose modules could not be listed (no map, no path comments:
// minified or rollup output) is returned with Identified false. The caller
// must report it as "cannot see into": packages found there by banners are
// all that is known, and the rest is unknown, never clean. What that means
// for the gate (proposed): a warning naming each such bundle and their count
// in the table and JSON; with fail_on_unversioned (or fail_on_empty) the
// gate fails, since the bundle may hold any package at any version; a
// lockfile shipped beside it is still matched through the "declared"
// entries, so malware it names fails by default.
//
// A JavaScript file counts as a bundle when it has a source map or module
// path comments, a bundler runtime helper (__webpack_require__, __commonJS,
// commonjsGlobal, ...), or a line over 1000 bytes (minified output). A
// short hand-written handler is none of these and yields nothing. Files
// under node_modules are installed packages' own and are left to the
// installed-package catalogers.
//
// The package does not import fnaudit's sbom package (sbom imports it); it
// reads files through the small FS interface.
package jsbundle
