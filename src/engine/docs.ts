/** Where each rule is explained; diagnostics, SARIF and hovers link here. */
import type { RuleCode } from './rules';

export const REPOSITORY_URL = 'https://github.com/initlint/initlint';
export const RULES_DOC_URL = `${REPOSITORY_URL}/blob/main/docs/rules.md`;

export function ruleDocUrl(code: RuleCode): string {
  return `${RULES_DOC_URL}#${code.toLowerCase()}`;
}
