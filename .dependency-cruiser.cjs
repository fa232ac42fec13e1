/** Layer and module rules of the hexagon, checked in CI by `npm run lint:arch`. */
const FRAMEWORKS = '(^|node_modules/)(@nestjs|typeorm|pg|kafkajs|nodemailer|express|multer|csv-parser|iconv-lite|pino|prom-client|jose|handlebars|@electric-sql)(/|$)';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain code imports no framework, driver or transport (time, ids and I/O come through commands and ports)',
      severity: 'error',
      from: { path: '/domain/' },
      to: { path: FRAMEWORKS, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-depends-on-nothing-outer',
      severity: 'error',
      from: { path: '/domain/' },
      to: { path: '/(application|infrastructure)/' },
    },
    {
      name: 'domain-uses-no-node-io',
      severity: 'error',
      from: { path: '/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'application-does-not-know-adapters',
      comment: 'handlers depend on ports; adapters are wired in the module',
      severity: 'error',
      from: { path: '/application/' },
      to: { path: '/infrastructure/' },
    },
    {
      name: 'application-uses-no-drivers',
      severity: 'error',
      from: { path: '/application/' },
      to: { path: '(^|node_modules/)(typeorm|pg|kafkajs|nodemailer|express|multer|csv-parser|iconv-lite|handlebars)(/|$)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'users-module-stands-alone',
      comment: 'users is the core; imports, notifications and messaging build on it, never the reverse',
      severity: 'error',
      from: { path: '^src/modules/users/' },
      to: { path: '^src/modules/(imports|notifications|messaging|admin-portal)/' },
    },
    {
      name: 'shared-kernel-knows-no-module',
      severity: 'error',
      from: { path: '^src/shared/(domain|application)/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)web/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
