/**
 * Node flags for the child processes that tests start with tsx (the CLI, `npm start`, benchmarks):
 * the V8 flags the test runner gave this process (scripts/run-tests.mjs compiles PGlite's
 * WebAssembly with the baseline compiler only), so that children start as cheaply as the test files.
 */
export const CHILD_NODE_FLAGS: readonly string[] = process.execArgv.filter((arg) => arg === '--liftoff-only');
