/**
 * Lint: no link in the repository points at a missing file. Offline; run by `npm run lint`.
 *
 *   node src/tools/check-links.ts [--root DIR]
 *
 * Checks, in every Markdown file:
 * - links and images (`[text](target)`, `![alt](target)`, `[id]: target`) outside code: a relative
 *   target must exist inside the repository, and a `#fragment` must name a heading of the Markdown file
 *   it points at (GitHub's anchors);
 * and, in Markdown text and in the comments of .ts/.js files:
 * - path mentions such as `docs/adr/0002-protobuf-with-ts-proto.md` whose first folder is one of the
 *   repository's top-level folders (or starts with ./ or ../) must exist. Mentions of the workplace's
 *   `shared/` folder, which a clone does not have, are errors too.
 * Prints one line per broken link, `check-links: <file>:<line>: <target>: <reason>`, and exits 1.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import ts from 'typescript'

/** Folders never scanned: dependencies, build output, generated code. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage', '.bench', '.sim-out', 'sorcha-data'])
const SKIP_PATHS = new Set(['protos/gen'])
/** Fragments that a generator copies into another document, where their links are checked. */
const FRAGMENTS = new Set(['src/tools/api-guide.md'])
/** Folders beside the repository on the developers' machines; a clone does not have them. */
const OUTSIDE = new Set(['shared'])
const CODE = /\.(?:ts|js|mjs|cjs)$/
/** A relative path to a file with an extension, not inside a URL or an absolute path. */
const MENTION = /(?<![\w./@:~-])((?:\.{1,2}\/)*(?:[\w.-]+\/)+[\w.-]*\w\.(?:md|ts|js|json|proto|ya?ml|sh))(?![\w/-])/g

/** One broken link. */
interface Problem { file: string, line: number, target: string, reason: string }

function walk (root: string, dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const rel = relative(root, path).split(sep).join('/')
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !SKIP_PATHS.has(rel)) walk(root, path, out)
    } else if ((entry.name.endsWith('.md') || CODE.test(entry.name)) && !FRAGMENTS.has(rel)) {
      out.push(rel)
    }
  }
  return out
}

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split('\n').length

/** Replaces fenced code blocks and inline code spans with spaces (offsets and lines stay). */
function blankCode (text: string): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ')
  return text
    .replace(/^( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\2[^\n]*$|(?![\s\S]))/gm, blank)
    .replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, blank)
}

/** GitHub's anchor for a heading's text. */
function slug (heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

const anchorCache = new Map<string, Set<string>>()

const HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/

/** The anchors a Markdown file defines: its headings (with GitHub's -1, -2 for repeats) and <a name|id>. */
function anchors (path: string): Set<string> {
  let set = anchorCache.get(path)
  if (set !== undefined) return set
  set = new Set()
  const raw = readFileSync(path, 'utf8')
  const text = blankCode(raw)
  const counts = new Map<string, number>()
  for (const m of text.matchAll(new RegExp(HEADING.source, 'gm'))) {
    const heading = HEADING.exec(raw.slice(m.index, m.index + m[0].length))?.[1] ?? ''
    const base = slug(heading)
    const n = counts.get(base) ?? 0
    counts.set(base, n + 1)
    set.add(n === 0 ? base : `${base}-${n}`)
  }
  for (const m of text.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) set.add(m[1]!)
  anchorCache.set(path, set)
  return set
}

/** Checks one Markdown link target; returns the reason it is broken, or undefined. */
function checkLink (root: string, file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined
  const [rawPath = '', fragment] = target.split('#', 2)
  let path: string
  try { path = decodeURIComponent(rawPath.split('?')[0]!) } catch { return 'not a valid link' }
  const abs = path === '' ? join(root, file) : path.startsWith('/') ? join(root, path) : resolve(root, dirname(file), path)
  const rel = relative(root, abs)
  if (rel.startsWith('..')) return 'outside the repository'
  if (!existsSync(abs)) return 'no such file'
  if (fragment === undefined || fragment === '' || !abs.endsWith('.md') || statSync(abs).isDirectory()) return undefined
  return anchors(abs).has(fragment.toLowerCase()) ? undefined : `no heading #${fragment} in ${rel.split(sep).join('/')}`
}

/** Checks a path mentioned in prose or a comment; returns the reason it is broken, or undefined. */
function checkMention (root: string, file: string, mention: string, topLevel: Set<string>): string | undefined {
  const first = mention.split('/')[0]!
  if (OUTSIDE.has(first) && !topLevel.has(first)) return 'outside the repository (copy what is needed into docs/)'
  const up = mention.startsWith('../')
  const bare = mention.replace(/^(?:\.\/)+/, '')
  if (!up && !mention.startsWith('./') && !topLevel.has(first)) return undefined
  // ../x is relative to the file; x and ./x may also be relative to the root (code samples run from it).
  const candidates = up ? [resolve(root, dirname(file), mention)] : [join(root, bare), resolve(root, dirname(file), bare)]
  if (candidates.some(c => !relative(root, c).startsWith('..') && existsSync(c))) return undefined
  return 'no such file'
}

/** Markdown links (inline, images, reference definitions) outside code, with their offsets. */
function markdownLinks (text: string): Array<{ offset: number, target: string }> {
  const prose = blankCode(text)
  const links: Array<{ offset: number, target: string }> = []
  for (const m of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g)) {
    links.push({ offset: m.index, target: m[1]!.replace(/^<|>$/g, '') })
  }
  for (const m of prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm)) links.push({ offset: m.index, target: m[1]!.replace(/^<|>$/g, '') })
  return links
}

/** The comments of a .ts/.js file with their offsets, found by TypeScript's parser (not inside strings). */
function codeComments (file: string, text: string): Array<{ offset: number, text: string }> {
  const kind = file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind)
  const seen = new Set<number>()
  const out: Array<{ offset: number, text: string }> = []
  const take = (ranges: ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) {
      if (seen.has(r.pos)) continue
      seen.add(r.pos)
      out.push({ offset: r.pos, text: text.slice(r.pos, r.end) })
    }
  }
  const visit = (node: ts.Node): void => {
    take(ts.getLeadingCommentRanges(text, node.getFullStart()))
    take(ts.getTrailingCommentRanges(text, node.getEnd()))
    for (const child of node.getChildren(source)) visit(child)
  }
  visit(source)
  return out
}

/** Every broken link under root. */
export function checkLinks (root: string): Problem[] {
  const topLevel = new Set(readdirSync(root, { withFileTypes: true }).filter(e => e.isDirectory() && !SKIP_DIRS.has(e.name)).map(e => e.name))
  const problems: Problem[] = []
  const seen = new Set<string>()
  const report = (file: string, line: number, target: string, reason: string | undefined): void => {
    const key = `${file}:${line}:${target}`
    if (reason === undefined || seen.has(key)) return
    seen.add(key)
    problems.push({ file, line, target, reason })
  }
  for (const file of walk(root, root, []).sort()) {
    const text = readFileSync(join(root, file), 'utf8')
    const isMarkdown = file.endsWith('.md')
    if (isMarkdown) {
      for (const { offset, target } of markdownLinks(text)) report(file, lineAt(text, offset), target, checkLink(root, file, target))
    }
    const chunks = isMarkdown ? [{ offset: 0, text }] : codeComments(file, text)
    for (const chunk of chunks) {
      for (const m of chunk.text.matchAll(MENTION)) {
        report(file, lineAt(text, chunk.offset + m.index), m[1]!, checkMention(root, file, m[1]!, topLevel))
      }
    }
  }
  return problems
}

function main (): void {
  const { values } = parseArgs({ options: { root: { type: 'string' } } })
  const root = resolve(values.root ?? new URL('../..', import.meta.url).pathname)
  const problems = checkLinks(root)
  for (const p of problems) process.stderr.write(`check-links: ${p.file}:${p.line}: ${p.target}: ${p.reason}\n`)
  if (problems.length > 0) process.exitCode = 1
}

if (import.meta.main) main()
