/**
 * Reads what the README promises, so that tests can hold the code (and a running host) to it: the
 * answer table's problem types with their statuses, and "Try it"'s bash steps with the output
 * each shows after `# →`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README_PATH = join(__dirname, '..', '..', 'README.md');

export function readReadme(path = README_PATH): string {
  return readFileSync(path, 'utf8');
}

/**
 * The lines of the first section that starts with `heading`, up to the next heading of its level or
 * above (outside code blocks, where `# …` is a comment).
 */
export function section(markdown: string, heading: string): string[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`README: no heading "${heading}".`);
  const level = headingLevel(heading);
  let fence: string | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    const marker = line.match(/^\s*(```+)/)?.[1];
    if (fence === undefined && marker !== undefined) fence = marker;
    else if (fence !== undefined && line.trim() === fence) fence = undefined;
    else if (fence === undefined && headingLevel(line) > 0 && headingLevel(line) <= level) {
      return lines.slice(start + 1, i);
    }
  }
  return lines.slice(start + 1);
}

function headingLevel(line: string): number {
  return line.match(/^(#+) /)?.[1].length ?? 0;
}

/** The body of each fenced block of `language` in `lines`. */
export function fencedBlocks(lines: readonly string[], language: string): string[][] {
  const blocks: string[][] = [];
  let open: { fence: string; language: string; body: string[] } | undefined;
  for (const line of lines) {
    if (open === undefined) {
      const start = line.match(/^\s*(```+)\s*(\S*)\s*$/);
      if (start) open = { fence: start[1], language: start[2], body: [] };
    } else if (line.trim() === open.fence) {
      if (open.language === language) blocks.push(open.body);
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  return blocks;
}

export interface DocumentedAnswer {
  readonly status: number;
  /** The problem type's suffix, or undefined for an answer without a problem body (202, 200, the host's 404). */
  readonly type: string | undefined;
  readonly when: string;
}

/**
 * The rows of the README's answer table: the table whose header names the problem `type`, one
 * row per answer. A row's type is the backticked suffix in its second column, if any.
 */
export function answerTable(markdown: string): DocumentedAnswer[] {
  const lines = markdown.split(/\r?\n/);
  const header = lines.findIndex((line) => /^\|\s*Status\s*\|\s*Problem `type`/.test(line));
  if (header < 0)
    throw new Error('README: no table with the header "| Status | Problem `type` …".');
  const rows: DocumentedAnswer[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const [status, type, when] = cells;
    const code = Number(status);
    if (!Number.isInteger(code))
      throw new Error(`README answer table: status "${status}" in: ${line}`);
    const named = type.match(/^`([a-z0-9-]+)`$/);
    if (!named && !type.startsWith('—')) {
      throw new Error(`README answer table: type "${type}" is neither \`name\` nor —, in: ${line}`);
    }
    rows.push({ status: code, type: named?.[1], when: when ?? '' });
  }
  return rows;
}

export interface TryItStep {
  /** The lines pasted before the output, comments and blank lines included. */
  readonly commands: readonly string[];
  /** What the README says they print, one entry per `# →` line. */
  readonly expected: readonly string[];
}

export const EXPECTED_MARK = '# → ';

/**
 * "Try it"'s steps: its bash blocks cut after each run of `# →` lines. Every command is pasted as
 * it stands; the lines that follow it starting with `# → ` are what it prints, exactly.
 */
export function tryItSteps(markdown: string): TryItStep[] {
  const lines = section(markdown, '### Try it');
  const blocks = fencedBlocks(lines, 'bash');
  if (blocks.length === 0) throw new Error('README: "Try it" has no ```bash block.');
  const steps: TryItStep[] = [];
  let commands: string[] = [];
  let expected: string[] = [];
  const close = () => {
    if (expected.length > 0) steps.push({ commands, expected });
    else if (commands.some((line) => line.trim() !== '' && !line.trim().startsWith('#'))) {
      steps.push({ commands, expected: [] });
    }
    commands = [];
    expected = [];
  };
  for (const block of blocks) {
    for (const line of block) {
      if (line.startsWith(EXPECTED_MARK)) {
        expected.push(line.slice(EXPECTED_MARK.length));
      } else {
        if (expected.length > 0) close();
        commands.push(line);
      }
    }
    close();
  }
  return steps;
}
