// Types of server-build.mjs, for the benchmarks and tests that import it.
export declare function bundle(entry: string, outFile: string, assets?: string[], threads?: Record<string, string>): string;
export declare function buildServer(serverDir?: string): string;
export declare const RUN_ENV: Record<string, string>;
export declare function asciiOnly(code: string): string;
