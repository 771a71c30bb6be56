/** Response schema of the practice's scheduling rules. */
import { Type } from 'typebox';
import { RulesPatch } from '../rules.ts';

export const PracticeRulesView = Type.Object({
  rules: Type.Object(RulesPatch.properties, { description: 'What the practice set; keys left out use the defaults' }),
  effective: Type.Required(Type.Object(RulesPatch.properties), { description: 'Defaults with the practice’s rules applied (appointment types may override)' }),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
