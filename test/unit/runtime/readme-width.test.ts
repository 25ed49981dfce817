/**
 * Issue 11 (QA): the README reads in plain text (a terminal, `less`, a diff): no line wider than
 * 100 characters, except inside code blocks, where a command is kept whole to be copied.
 */
import fs from 'node:fs';
import path from 'node:path';

test('README lines are at most 100 characters outside code blocks', () => {
  const lines = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8').split('\n');
  let inCode = false;
  const wide: string[] = [];
  lines.forEach((line, i) => {
    if (/^\s*```/.test(line)) inCode = !inCode;
    else if (!inCode && line.length > 100) wide.push(`${i + 1} (${line.length}): ${line.slice(0, 60)}…`);
  });
  expect(lines.length).toBeGreaterThan(100);
  expect(wide).toEqual([]);
});
