import type { Dataset } from '../../src/index.js';

export declare const FASHION_DIR: string;
export declare function missingFashion(): string[];
export declare function loadData(name: 'mnist' | 'fashion-mnist'): { train: Dataset; test: Dataset };
