/** Query of the CSV exports: an inclusive date range, by default the month to date in the practice's zone. */
import { Type, type Static } from 'typebox';

export const ExportQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive; default the first day of the month of `to`' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive; default today in the practice time zone' })),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;
