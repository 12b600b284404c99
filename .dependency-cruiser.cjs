/**
 * Import rules that must never break (`npm run deps`, part of `npm test`).
 * Each rule's comment is what the failure message says; docs/ARCHITECTURE.md explains the layers.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment:
        "Runtime import cycles make start-up order fragile (a module can see another half-initialised). " +
        "Move the shared piece into a small module both sides import (see src/events/notifiable.ts).",
      from: {},
      // Imports erased at compile time (`import type`) cannot change start-up order, and neither can a lazy
      // `import()`, which runs once everything is loaded (the web app's page lists load their pages this way).
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only", "dynamic-import"] } },
    },
    {
      name: "web-not-server",
      severity: "error",
      comment:
        "The web app talks to the server over HTTP only: share types through @parley/protocol " +
        "(or the generated OpenAPI types), never by importing apps/server.",
      from: { path: "^apps/(web|widget)/" },
      to: { path: "^apps/server/" },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment:
        "apps/server/src/domain holds pure rules (permissions, windows, delivery states): " +
        "it must not reach the database, HTTP or feature modules. Pass the data in instead.",
      from: { path: "^apps/server/src/domain/" },
      to: { path: "^apps/server/src/(db|http|modules)/" },
    },
    {
      name: "channels-not-routes",
      severity: "error",
      comment:
        "Channel adapters are plugins: they may call commands, never a feature's HTTP routes. " +
        "Move what you need out of the routes file into a command or query.",
      from: { path: "^apps/server/src/channels/" },
      to: { path: "^apps/server/src/modules/[^/]+/routes[^/]*$" },
    },
    {
      name: "packages-not-apps",
      severity: "error",
      comment: "Shared packages are imported by the apps, never the other way round.",
      from: { path: "^packages/" },
      to: { path: "^apps/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|build)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    cache: false,
    progress: { type: "none" },
  },
};
