// What the solvers minimise: a smooth function of one float64 parameter vector, evaluated
// full batch. Non-smooth L1 terms are the solver's (see lbfgs.ts), not the objective's.

export interface Objective {
  /** Length of the parameter vector. */
  readonly size: number;
  /** The value at w; writes the gradient into g (same length). */
  evaluate(w: Float64Array, g: Float64Array): number;
}

export interface SolveOptions {
  /**
   * Stop when the largest |(pseudo-)gradient| entry is ≤ tol — scikit-learn's lbfgs criterion;
   * default 1e-5 (scikit-learn's 1e-4 can leave L1 zero patterns one weight short).
   */
  tol?: number;
  /** Iteration cap; default 1000. */
  maxIter?: number;
  /** Curvature pairs kept; default 10. */
  memory?: number;
  /** A diagonal preconditioner: per coordinate ≈ 1 / the objective's curvature there (> 0); default all 1. */
  precondition?: Float64Array | null;
  /** Per coordinate L1 strength (0: not penalised); the solver adds Σ l1ᵢ·|wᵢ| to the objective. */
  l1?: Float64Array | null;
  signal?: AbortSignal;
  /** After each iteration, with the objective's value (L1 included). */
  onIteration?: (iteration: number, value: number) => void;
}

export interface SolveResult {
  w: Float64Array;
  /** Objective at w, L1 included. */
  value: number;
  iterations: number;
  /** Function and gradient evaluations (line-search trials included). */
  evaluations: number;
  /** Largest |(pseudo-)gradient| entry at w. */
  gradNorm: number;
  /** gradNorm ≤ tol. */
  converged: boolean;
  /** 'tol': converged; 'maxIter': out of iterations; 'stalled': no decrease left above the float32 rounding floor. */
  stop: 'tol' | 'maxIter' | 'stalled';
}
