// Node-only: the loopback server of the static site and building it (node:http, node:fs). Kept out
// of the main entry so that a page bundling '@asma/viewer' reaches no node: module.
export { inside, resolveSitePath } from '../server/resolve-path.js';
export { LOOPBACK_HOSTS, type RunningServer, type ServeOptions, serveSite } from '../server/serve.js';
export { BUILD_SCRIPT, buildSite, ensureSite, SITE_DIR, siteBuilt, VIEWER_ROOT } from '../server/site.js';
