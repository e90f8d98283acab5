/**
 * node-pg-migrate 9 publishes its types only through package.json "exports", which this
 * project's classic "node" module resolution ignores. Point the type checker at them here
 * (not with tsconfig "paths": tsx would follow those at run time and load the .d.ts).
 */
declare module 'node-pg-migrate' {
  export * from 'node-pg-migrate/dist/bundle/index';
}
