/** Types of docs/examples.mjs, for specs/docs/examples.spec.ts. */
export declare const ROOT: string;
export declare function exampleFiles(root?: string): string[];
export declare function words(line: string): string[];
export declare function findExamples(text: string): { kind: 'text' | 'markdown'; command: string; args: string[]; block: string }[];
export declare function withCorpus(args: readonly string[], dir: string): string[];
export declare function render(kind: 'text' | 'markdown', command: string, result: { code: number; stdout: string; stderr: string }, corpusDir: string, root?: string): string;
export declare function mask(block: string): string;
