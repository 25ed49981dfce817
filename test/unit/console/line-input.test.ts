/** `LineInput`: queued early lines, late lines, end of input, no echo of secrets on a pipe. */
import { PassThrough } from 'node:stream';
import { LineInput } from '../../../adapters/console/line-input';

function pipes(): { input: PassThrough; output: PassThrough; written: () => string } {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { input, output, written: () => text };
}

const tick = () => new Promise((r) => setImmediate(r));

test('lines that arrive before they are asked for are queued in order; then null at the end', async () => {
  const { input, output } = pipes();
  const lines = new LineInput(input, output);
  input.end('a\r\nb\n\nlast without newline');
  await tick();
  expect(await lines.next()).toBe('a');
  expect(await lines.next()).toBe('b');
  expect(await lines.next()).toBe('');
  expect(await lines.next()).toBe('last without newline');
  expect(await lines.next()).toBeNull();
  expect(await lines.next()).toBeNull();
  lines.close();
});

test('a line that arrives later resolves a waiting question', async () => {
  const { input, output, written } = pipes();
  const lines = new LineInput(input, output);
  const answer = lines.ask('Name: ');
  await tick();
  expect(written()).toBe('Name: ');
  input.write('Ann\n');
  expect(await answer).toBe('Ann');
  expect(written()).toBe('Name: Ann\n');
  const pending = lines.ask('Next: ');
  input.end();
  expect(await pending).toBeNull();
  lines.close();
});

test('on a pipe a secret answer is returned untouched but never written back', async () => {
  const { input, output, written } = pipes();
  const lines = new LineInput(input, output);
  expect(lines.tty).toBe(false);
  input.write('  s3cret with spaces  \n');
  expect(await lines.ask('Password: ', { secret: true, hiddenMarker: '(hidden)' })).toBe('  s3cret with spaces  ');
  expect(written()).toBe('Password: (hidden)\n');
  lines.close();
});

test('on a TTY the echo is muted while a secret is typed', async () => {
  const { input, output, written } = pipes();
  Object.assign(input, { isTTY: true, setRawMode: () => input });
  const lines = new LineInput(input, output);
  expect(lines.tty).toBe(true);
  const plain = lines.ask('Name: ');
  input.write('Ann\r');
  expect(await plain).toBe('Ann');
  expect(written()).toContain('Ann');
  const before = written().length;
  const secret = lines.ask('Password: ', { secret: true });
  input.write('hunter2\r');
  expect(await secret).toBe('hunter2');
  const after = written().slice(before);
  expect(after).toContain('Password: ');
  expect(after).not.toContain('hunter2');
  lines.close();
});
