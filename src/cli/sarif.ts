/** SARIF 2.1.0 output, in the shape GitHub code scanning accepts (rule metadata, help, fixes). */
import type * as Sarif from 'sarif';
import type { Finding } from '../engine/linter';
import { RULES } from '../engine/rules';
import { ruleDocUrl } from '../engine/docs';

const LEVEL: Record<Finding['severity'], Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };

export function toSarif(findings: Finding[], errors: Array<{ file: string; message: string }>, version: string): Sarif.Log {
  const uri = (file: string) => file.split('\\').join('/');
  const rules: Sarif.ReportingDescriptor[] = RULES.map((r) => ({
    id: r.code,
    name: r.name,
    shortDescription: { text: r.summary },
    fullDescription: { text: r.summary },
    helpUri: ruleDocUrl(r.code),
    help: { text: `${r.summary} See ${ruleDocUrl(r.code)}`, markdown: `${r.summary}\n\n[${r.code} in the initlint docs](${ruleDocUrl(r.code)})` },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['initialization', 'machine-learning'] },
  }));
  const results: Sarif.Result[] = findings.map((f) => {
    const artifactLocation = { uri: uri(f.file), uriBaseId: '%SRCROOT%' };
    const result: Sarif.Result = {
      ruleId: f.code,
      ruleIndex: RULES.findIndex((r) => r.code === f.code),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{
        physicalLocation: {
          artifactLocation,
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
        },
        logicalLocations: [{ name: f.layer, fullyQualifiedName: `${f.model}/${f.layer}`, kind: 'member' }],
      }],
      partialFingerprints: { 'initlint/v1': `${f.code}:${f.model}:${f.layer}` },
    };
    if (f.fix) {
      result.fixes = [{
        description: { text: f.fix.title },
        artifactChanges: [{
          artifactLocation,
          replacements: f.fix.edits.map((e) => ({
            deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
            insertedContent: { text: e.newText },
          })),
        }],
      }];
    }
    return result;
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: { driver: { name: 'initlint', version, semanticVersion: version, informationUri: 'https://github.com/initlint/initlint', rules } },
      columnKind: 'utf16CodeUnits',
      originalUriBaseIds: { '%SRCROOT%': { uri: `file://${process.cwd().split('\\').join('/')}/` } },
      results,
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: errors.map((e) => ({
          level: 'error' as const,
          message: { text: e.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: uri(e.file), uriBaseId: '%SRCROOT%' } } }],
        })),
      }],
    }],
  };
}
