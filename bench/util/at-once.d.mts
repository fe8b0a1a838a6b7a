export declare function runAtOnce<T = unknown>(args: string[], count: number): Promise<T[]>;
