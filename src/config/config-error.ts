import { UserError } from '../user-error.ts';
import type { ConfigProblem } from './config.ts';

/** A problem in chatops.yml: names the file, the key, the bad value and what is accepted. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  /** Every problem found, when the file was read to the end; empty when it could not be read. */
  readonly problems: readonly ConfigProblem[];

  constructor(message: string, problems: readonly ConfigProblem[] = []) {
    super(message);
    this.problems = problems;
  }

  /** All the problems of a file in one error: one problem on the line, several one per line. */
  static of(source: string, problems: readonly ConfigProblem[]): ConfigError {
    const lines = problems.map(ConfigError.line);
    const message = lines.length === 1 ? `${source}: ${lines[0]}` : `${source}: ${lines.length} problems:\n${lines.map((l) => `  ${l}`).join('\n')}`;
    return new ConfigError(message, problems);
  }

  /** "path: message", as `chatops config check` prints a problem. */
  static line(this: void, problem: ConfigProblem): string {
    return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
  }
}
