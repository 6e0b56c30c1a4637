// Package sdkjs carries the built browser files of sdk-js (dist/), so the platform binary
// serves them at /sdk/ without Node.js on the server. `npm run check-dist` keeps dist/ in
// step with src/.
package sdkjs

import "embed"

// Dist holds govapp.js (runtime, loader and the JS API), ed25519.js and sm2.js (loaded on
// demand), and sim.js, the simulated containers for `govapp dev` and the sandbox phone
// (development only: not for pages that citizens open).
//
//go:embed dist/govapp.js dist/ed25519.js dist/sm2.js dist/sim.js
var Dist embed.FS
