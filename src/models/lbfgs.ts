/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, algorithm 7.4/7.5) with a
 * weak Wolfe line search, for smooth convex objectives such as regularised logistic
 * regression. Hand-written: the maintained JS optimisation packages either lack L-BFGS or work on
 * plain arrays of a few hundred variables; the tf-idf model has ~10⁶ and needs Float64Arrays and
 * full determinism (no randomness, fixed evaluation order).
 */

export interface LbfgsOptions {
  /** Stop after this many iterations (one line search each). */
  maxIter: number;
  /** Correction pairs kept (m). */
  memory: number;
  /** Converged when the largest gradient component is at most this. */
  gradTol: number;
  /** Converged when an iteration lowers f by at most relTol · max(|f|, 1) (SciPy's ftol). */
  relTol: number;
}

export const LBFGS_DEFAULTS: LbfgsOptions = { maxIter: 500, memory: 8, gradTol: 1e-5, relTol: 2.2e-9 };

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  /** max |∂f/∂xᵢ| at the solution. */
  gradInf: number;
  converged: boolean;
  reason: 'gradient' | 'objective' | 'max-iterations' | 'line-search';
}

/** fg writes the gradient at x into g and returns f(x). */
export type Objective = (x: Float64Array, g: Float64Array) => number;

export function minimize(fg: Objective, x0: Float64Array, opts: Partial<LbfgsOptions> = {}): LbfgsResult {
  const o = { ...LBFGS_DEFAULTS, ...opts };
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let iterations = 0;
  let reason: LbfgsResult['reason'] = 'max-iterations';

  while (true) {
    if (normInf(g) <= o.gradTol) {
      reason = 'gradient';
      break;
    }
    if (iterations >= o.maxIter) break;

    // Two-loop recursion: d = −H·g, with H₀ = γI, γ = sᵀy / yᵀy of the newest pair.
    d.set(g);
    const alpha = new Array<number>(S.length);
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(S[k]!, d);
      axpy(-alpha[k]!, Y[k]!, d);
    }
    const gamma = S.length > 0 ? dot(S.at(-1)!, Y.at(-1)!) / dot(Y.at(-1)!, Y.at(-1)!) : 1 / Math.max(norm2(g), 1e-12);
    scale(d, gamma);
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k]! * dot(Y[k]!, d);
      axpy(alpha[k]! - beta, S[k]!, d);
    }
    scale(d, -1);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      d.set(g);
      scale(d, -1 / Math.max(norm2(g), 1e-12));
      slope = dot(g, d);
    }

    // Weak Wolfe line search by bracketing and bisection (Lewis & Overton): sufficient decrease
    // (c₁ = 1e-4) and curvature (c₂ = 0.9); the curvature condition keeps sᵀy > 0, so every pair
    // is usable and H stays positive definite.
    let t = 1;
    let lo = 0;
    let hi = Infinity;
    let fNew = Infinity;
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + t * d[i]!;
      fNew = fg(xNew, gNew);
      evaluations++;
      if (!(fNew <= f + 1e-4 * t * slope)) hi = t;
      else if (dot(gNew, d) < 0.9 * slope) lo = t;
      else {
        accepted = true;
        break;
      }
      t = hi < Infinity ? (lo + hi) / 2 : 2 * lo;
    }
    // A step that decreased f but never met the curvature condition is still progress.
    if (!accepted && lo > 0 && fNew > f + 1e-4 * lo * slope) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + lo * d[i]!;
      fNew = fg(xNew, gNew);
      evaluations++;
      accepted = fNew <= f + 1e-4 * lo * slope;
    } else if (!accepted && fNew <= f + 1e-4 * t * slope) accepted = true;
    iterations++;
    if (!accepted) {
      reason = 'line-search';
      break;
    }

    // The oldest pair's buffers are reused once memory is full: no allocation per iteration.
    const full = S.length === o.memory;
    const s = full ? S.shift()! : new Float64Array(n);
    const y = full ? Y.shift()! : new Float64Array(n);
    if (full) rho.shift();
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    // Skip pairs without positive curvature: they would make H indefinite.
    if (sy > 1e-10 * dot(y, y)) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const decrease = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (decrease <= o.relTol * Math.max(Math.abs(f), 1)) {
      reason = normInf(g) <= o.gradTol ? 'gradient' : 'objective';
      break;
    }
  }
  return { x, f, iterations, evaluations, gradInf: normInf(g), converged: reason === 'gradient' || reason === 'objective', reason };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + a * x[i]!;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * a;
}

function norm2(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

function normInf(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}
