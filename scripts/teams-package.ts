/**
 * `npm run teams:package`: zips `adapters/teams/app-package/` (manifest.json on schema v1.29,
 * color.png, outline.png, fr.json and de.json, the manifest's French and German strings) into
 * `dist/teams-app-package.zip` for sideloading in Teams.
 *
 * Placeholders of manifest.json (Teams requires GUIDs there, so they are zero GUIDs in git):
 * - `bots[0].botId`: replaced by `MICROSOFT_APP_ID` (the Azure Bot's app id) when set;
 * - `id`: the Teams app's own id, replaced by `TEAMS_APP_MANIFEST_ID`, else `MICROSOFT_APP_ID`;
 * - `validDomains`: `TEAMS_VALID_DOMAINS` (comma-separated host names) when set.
 * Options: `--out <file>`; `--icons` regenerates the two icons (color 192x192, outline 32x32
 * white on transparent, as Teams asks) before zipping.
 *
 * The zip writer is minimal (deflate and CRC-32 via node:zlib, no zip64): enough for a few small files;
 * it stays home-made because a zip library would be a new dependency for five small files.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** The app package folder. */
export const APP_PACKAGE_DIR = path.resolve(__dirname, '..', 'adapters', 'teams', 'app-package');
/** Files that go into the zip, at its root. */
export const PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png', 'fr.json', 'de.json'] as const;
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A bare host name, maybe with a leading `*.` wildcard (Teams' `validDomains`): no scheme, port or path. */
const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * CRC-32 (IEEE) of `buf`, as used by zip and PNG: node's own `zlib.crc32` (node >= 20.15; the
 * engines ask for 20.19), which replaced the table-driven copy kept here before.
 */
export function crc32(buf: Buffer): number {
  return zlib.crc32(buf);
}

/** A zip archive (deflated entries, fixed DOS time 2024-01-01 00:00) of `files` (name -> content). */
export function zip(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = ((2024 - 1980) << 9) | (1 << 5) | 1;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const deflated = zlib.deflateRawSync(f.data, { level: 9 });
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, deflated);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + deflated.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** An RGBA PNG of `size` x `size` whose pixels come from `pixel(x, y)` -> [r, g, b, a]. */
export function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) Buffer.from(pixel(x, y)).copy(raw, y * (size * 4 + 1) + 1 + x * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Signed distance (negative inside) of the icon's ticket: a rounded rectangle with a half-round notch in each side. */
function ticketDistance(x: number, y: number): number {
  const [hw, hh, r] = [0.36, 0.23, 0.06];
  const qx = Math.abs(x - 0.5) - hw + r;
  const qy = Math.abs(y - 0.5) - hh + r;
  const rect = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  const notch = Math.min(Math.hypot(x - 0.14, y - 0.5), Math.hypot(x - 0.86, y - 0.5)) - 0.075;
  return Math.max(rect, -notch);
}

/** Distance to the icon's check mark (two strokes). */
function checkDistance(x: number, y: number): number {
  const seg = (ax: number, ay: number, bx: number, by: number): number => {
    const [dx, dy] = [bx - ax, by - ay];
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - ax - t * dx, y - ay - t * dy);
  };
  return Math.min(seg(0.33, 0.5, 0.45, 0.61), seg(0.45, 0.61, 0.66, 0.39));
}

/** A `size` x `size` icon from `shade(u, v)` (u, v in 0..1) -> [r, g, b, a], smoothed by 4 x 4 samples per pixel. */
function icon(size: number, shade: (u: number, v: number) => [number, number, number, number]): Buffer {
  const n = 4;
  return png(size, (x, y) => {
    const acc = [0, 0, 0, 0];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const c = shade((x + (i + 0.5) / n) / size, (y + (j + 0.5) / n) / size);
        for (let k = 0; k < 3; k++) acc[k]! += c[k]! * c[3];
        acc[3]! += c[3];
      }
    const a = acc[3]!;
    return a === 0
      ? [0, 0, 0, 0]
      : [Math.round(acc[0]! / a), Math.round(acc[1]! / a), Math.round(acc[2]! / a), Math.round((a / (n * n)) * 255)];
  });
}

/**
 * Writes the two icons Teams asks for: color.png (192x192: a white ticket with a check mark on
 * the accent colour, full bleed) and outline.png (32x32: the same ticket and check as white lines
 * on transparent).
 */
export function writeIcons(dir: string = APP_PACKAGE_DIR): void {
  const accent: [number, number, number] = [0x1f, 0x4e, 0x8c];
  fs.writeFileSync(
    path.join(dir, 'color.png'),
    icon(192, (u, v) => {
      if (checkDistance(u, v) < 0.04) return [...accent, 1];
      if (ticketDistance(u, v) < 0) return [255, 255, 255, 1];
      return [...accent, 1];
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'outline.png'),
    icon(32, (u, v) => (Math.abs(ticketDistance(u, v)) < 0.035 || checkDistance(u, v) < 0.04 ? [255, 255, 255, 1] : [0, 0, 0, 0])),
  );
}

/**
 * The manifest with placeholders filled from `env` (see the module doc).
 * @throws Error when `MICROSOFT_APP_ID` / `TEAMS_APP_MANIFEST_ID` is set but not a GUID, or an
 * entry of `TEAMS_VALID_DOMAINS` is not a bare host name (a URL, a port, a path).
 */
export function fillManifest(manifest: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown> & { bots: { botId: string }[] };
  const botId = env.MICROSOFT_APP_ID?.trim();
  const appId = env.TEAMS_APP_MANIFEST_ID?.trim() || botId;
  for (const [name, v] of [
    ['MICROSOFT_APP_ID', botId],
    ['TEAMS_APP_MANIFEST_ID', appId],
  ] as const) {
    if (v && !GUID.test(v)) throw new Error(`${name} must be a GUID (got "${v}")`);
  }
  if (botId) out.bots[0].botId = botId;
  if (appId) out.id = appId;
  const domains = env.TEAMS_VALID_DOMAINS?.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const notHosts = (domains ?? []).filter((d) => !HOST_NAME.test(d));
  if (notHosts.length > 0)
    throw new Error(
      `TEAMS_VALID_DOMAINS takes bare host names, comma-separated (bot.example.org or *.example.org: no https://, port or path); got ${notHosts.map((d) => `"${d}"`).join(', ')}`,
    );
  if (domains?.length) out.validDomains = domains;
  return out;
}

/**
 * Where `npm run teams:package` writes the zip by default: `teams-package/` at the repository root
 * (gitignored; not under `dist/`, which `npm run build` empties).
 */
export const DEFAULT_PACKAGE_OUT = path.resolve(__dirname, '..', 'teams-package', 'teams-app-package.zip');

/** Builds the zip. @returns its path. @throws Error when a file is missing or the manifest is not JSON. */
export function buildPackage(opts: { dir?: string; out?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const dir = opts.dir ?? APP_PACKAGE_DIR;
  const out = opts.out ?? DEFAULT_PACKAGE_OUT;
  const manifest = fillManifest(
    JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>,
    opts.env ?? process.env,
  );
  const files = PACKAGE_FILES.map((name) => ({
    name,
    data: name === 'manifest.json' ? Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') : fs.readFileSync(path.join(dir, name)),
  }));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, zip(files));
  return out;
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    if (args.includes('--icons')) writeIcons();
    const i = args.indexOf('--out');
    const out = buildPackage(i >= 0 && args[i + 1] ? { out: path.resolve(args[i + 1]) } : {});
    const placeholder = !process.env.MICROSOFT_APP_ID;
    console.log(
      `Teams app package written to ${out}${placeholder ? ` (botId is the placeholder ${ZERO_GUID}: set MICROSOFT_APP_ID before sideloading)` : ''}`,
    );
  } catch (err) {
    console.error(`teams:package failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
