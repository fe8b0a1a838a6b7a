/** Every stable error code, with when it is thrown. Match on `err.code`, never on the message. */
const CODES = {
  ERR_BAD_SHAPE: 'sizes negative, mismatched, or a buffer too small',
  ERR_BAD_ARGUMENT: 'an option out of its range',
  ERR_NON_FINITE: 'NaN or ±Infinity in the input',
  ERR_LABEL_RANGE: 'a class label outside [0, classes) or not an integer',
  ERR_EMPTY: 'an empty dataset or partition',
  ERR_DIVERGED: 'training loss became non-finite',
  ERR_ABORTED: "the caller's AbortSignal fired",
  ERR_WORKER_FAILED: 'a worker died, or a task threw an error without a code',
  ERR_BAD_FILE: 'a corrupt, truncated or unknown file',
  ERR_WASM_LOAD: 'the kernels could not be loaded',
  ERR_OUT_OF_MEMORY: "the backend's memory cannot grow to what a buffer needs (its maximum, or the runtime's)",
  ERR_BUFFER_FREED: 'a buffer used after free(), or from another backend',
  ERR_NOT_FITTED: 'predict() before fit()',
  ERR_MISSING_DEPENDENCY: 'an optional peer dependency (mnist) is not installed',
} as const;

export type ErrorCode = keyof typeof CODES;

/** Whether `code` is one of ours (not, say, a Node system error's ENOENT). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(CODES, code);
}

export class SparseExpertsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SparseExpertsError';
    this.code = code;
  }
}

export function fail(code: ErrorCode, message: string, cause?: unknown): never {
  throw new SparseExpertsError(code, message, cause === undefined ? undefined : { cause });
}
