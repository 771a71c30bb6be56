// node-pg's own parameter serialiser and literal escaper (CommonJS, not covered by @types/pg).
declare module 'pg/lib/utils.js' {
  const utils: {
    prepareValue(value: unknown): unknown;
    escapeLiteral(value: string): string;
  };
  export default utils;
}
