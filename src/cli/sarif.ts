/** SARIF 2.1.0 output, in the shape GitHub code scanning accepts (rule metadata, help, fixes). */
import type * as Sarif from 'sarif';
import { pathToFileURL } from 'node:url';
import type { Finding } from '../engine/linter';
import { RULES } from '../engine/rules';
import { ruleDocUrl } from '../engine/docs';

const LEVEL: Record<Finding['severity'], Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };

export function toSarif(findings: Finding[], errors: Array<{ file: string; message: string }>, version: string): Sarif.Log {
  // Relative paths as URI references: each '/'-separated segment percent-encoded (a space is
  // `%20`, a backslash in a POSIX file name `%5C`).
  const uri = (file: string) => file.split('/').map(encodeURIComponent).join('/');
  // Two findings of one rule on layers with the same label in the same model (a stack of
  // `Dense(64)`) must stay two alerts: the fingerprint counts them in the order of the file,
  // which, unlike a line number, survives edits elsewhere in the file.
  const seen = new Map<string, number>();
  const fingerprint = (f: Finding) => {
    const key = `${f.file}\0${f.code}:${f.model}:${f.layer}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? `${f.code}:${f.model}:${f.layer}` : `${f.code}:${f.model}:${f.layer}:${n}`;
  };
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
      locations: [
        {
          physicalLocation: {
            artifactLocation,
            region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
          },
          logicalLocations: [{ name: f.layer, fullyQualifiedName: `${f.model}/${f.layer}`, kind: 'member' }],
        },
      ],
      partialFingerprints: { 'initlint/v1': fingerprint(f) },
    };
    if (f.fix) {
      result.fixes = [
        {
          description: { text: f.fix.title },
          artifactChanges: [
            {
              artifactLocation,
              replacements: f.fix.edits.map((e) => ({
                deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
                insertedContent: { text: e.newText },
              })),
            },
          ],
        },
      ];
    }
    return result;
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'initlint', version, semanticVersion: version, informationUri: 'https://github.com/initlint/initlint', rules } },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(process.cwd()).href}/` } },
        results,
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: errors.map((e) => ({
              level: 'error' as const,
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: uri(e.file), uriBaseId: '%SRCROOT%' } } }],
            })),
          },
        ],
      },
    ],
  };
}
