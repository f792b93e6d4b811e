import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The documentation links to itself a lot (README → docs/ → decision records): every relative link must
 * reach an existing file and, when it names one, a heading of that file.
 */
const ROOT = join(__dirname, '../..');

function markdownIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownIn(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const FILES = [join(ROOT, 'README.md'), join(ROOT, 'CONTRIBUTING.md'), ...markdownIn(join(ROOT, 'docs'))];

/** The text outside fenced code blocks, where links and headings live. */
function outsideCodeBlocks(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
}

/** The anchors GitHub gives a file's headings (github-slugger: lower case, punctuation dropped, spaces → -). */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of outsideCodeBlocks(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every `[text](target)` of the file whose target is local (no scheme): its path and anchor. */
function localLinks(file: string): Array<{ target: string; path: string; anchor?: string }> {
  const text = outsideCodeBlocks(readFileSync(file, 'utf8')).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(\s*<?([^()\s<>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(([, target]) => target)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => {
      const [path, anchor] = target.split('#', 2);
      return { target, path: decodeURIComponent(path), anchor: anchor || undefined };
    });
}

describe('documentation links', () => {
  it('finds the documentation', () => {
    expect(FILES.map((file) => relative(ROOT, file))).toEqual(
      expect.arrayContaining(['README.md', 'CONTRIBUTING.md', join('docs', 'operations.md')]),
    );
  });

  it.each(FILES.map((file) => ({ file, name: relative(ROOT, file) })))(
    '$name: every relative link reaches a file, and a heading when it names one',
    ({ file }) => {
      const broken: string[] = [];
      for (const { target, path, anchor } of localLinks(file)) {
        const linked = path === '' ? file : resolve(dirname(file), path);
        if (!existsSync(linked)) {
          broken.push(`${target}: no such file`);
          continue;
        }
        if (anchor && statSync(linked).isFile() && linked.endsWith('.md') && !anchorsOf(linked).has(anchor))
          broken.push(`${target}: no such heading`);
      }
      expect(broken).toEqual([]);
    },
  );

  it('the README stays a guide of at most 450 lines; depth goes to docs/', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(450);
  });
});
