#!/usr/bin/env python3
"""Independent reference values for phiguard's population-uniqueness estimators (tests/risk_population_test.cc).

Pure Python, no phiguard code: Pitman's likelihood equations are summed term by term (no digamma),
solved by Newton with finite-difference Jacobians; Zayatz uses exact binomial coefficients (fractions);
SNB solves the moment equations with finite-difference Newton from (1, 1).
usage: population_reference.py  (prints the values the tests assert)
"""
import math
from fractions import Fraction


def newton(F, x0, tol=1e-10, iters=500):
    """Newton from x0, then from the grid {0, .33, .66, .99}^2 while a start fails."""
    for start in [x0] + [(a, b) for a in (0, .33, .66, .99) for b in (0, .33, .66, .99)]:
        try:
            return newton_from(F, start, tol, iters)
        except (ArithmeticError, ValueError, RuntimeError):
            continue
    raise RuntimeError("no convergence")


def newton_from(F, x0, tol, iters):
    x, y = x0
    for _ in range(iters):
        f1, f2 = F(x, y)
        if isinstance(f1, complex) or isinstance(f2, complex):
            raise ValueError("complex")
        if abs(f1) < tol and abs(f2) < tol:
            return x, y
        h = 1e-7
        a1, a2 = F(x + h * max(1, abs(x)), y)
        b1, b2 = F(x, y + h * max(1, abs(y)))
        hx, hy = h * max(1, abs(x)), h * max(1, abs(y))
        j11, j21 = (a1 - f1) / hx, (a2 - f2) / hx
        j12, j22 = (b1 - f1) / hy, (b2 - f2) / hy
        det = j11 * j22 - j12 * j21
        x, y = x - (j22 * f1 - j12 * f2) / det, y - (-j21 * f1 + j11 * f2) / det
    raise RuntimeError("no convergence")


def pitman(hist, N):
    n = sum(k * c for k, c in hist.items())
    u = sum(hist.values())
    c1, c2 = hist.get(1, 0), hist.get(2, 0) or 1

    def F(t, a):
        o1 = sum(1 / (t + i * a) for i in range(1, u))
        o2 = sum(1 / (t + i) for i in range(1, n))
        o3 = sum(i / (t + i * a) for i in range(1, u))
        o4 = sum(c * sum(1 / (j - a) for j in range(1, k)) for k, c in hist.items() if k > 1)
        return o1 - o2, o3 - o4

    c = c1 * (c1 - 1) / c2
    t0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c)
    a0 = (t0 * (c1 - n) + (n - 1) * c1) / (n * u)
    t, a = newton(F, (t0, a0))
    return math.exp(math.lgamma(t + 1) - math.lgamma(t + a)) * N ** a


def zayatz(hist, N):
    n = sum(k * c for k, c in hist.items())
    u = sum(hist.values())

    def p1(K):  # P(X = 1), X ~ hypergeometric(population N, K successes, n draws)
        return Fraction(K * math.comb(N - K, n - 1), math.comb(N, n))

    den = sum(Fraction(c, u) * p1(k) for k, c in hist.items())
    share = Fraction(hist[1], u) * p1(1) / den
    return float(hist[1] * share / Fraction(n, N))


def snb(hist, N, as_arx=True):
    n = sum(k * c for k, c in hist.items())
    u = sum(hist.values())
    f = n / N
    c1, c2 = hist.get(1, 0), hist.get(2, 0)
    v1 = sum(i * f * f * (1 - f * f) ** (i - 1) * c for i, c in hist.items())
    if as_arx:
        v2 = sum((1 - f) ** i * c * (1 + f) ** i - 1 for i, c in hist.items())
    else:
        v2 = sum((1 - f) ** i * c * ((1 + f) ** i - 1) for i, c in hist.items())
    v3 = sum((1 - f) ** i * c for i, c in hist.items())
    v4 = sum(i * f * (1 - f) ** (i - 1) * c for i, c in hist.items())
    K = u + c1 * (v1 / v2) * (v3 / v4) ** 2

    def F(a, b):
        d = (1 - f) * (1 - b)
        e1 = K * f * (b / (1 - d)) ** a * (a * d / (1 - d) + 1) - c1
        e2 = K * a * b ** a * f * f * (1 - b) / 2 * (1 - d) ** (a + 2) * (2 - (1 - a) * d) - c2
        return e1, e2

    a, b = newton(F, (1.0, 1.0))
    return K, K * b ** a


if __name__ == "__main__":
    hist = {1: 50, 2: 30, 3: 20, 4: 10, 6: 5, 10: 3}  # n = 270 records in 118 classes
    N = 10000  # sampling fraction 0.027: Dankar's rule takes Pitman
    print(f"N={N}: pitman={pitman(hist, N)!r} zayatz={zayatz(hist, N)!r}")
    N = 300  # sampling fraction 0.9: Dankar's rule takes min(Zayatz, SNB)
    print(f"N={N}: zayatz={zayatz(hist, N)!r} snb(K, uniques)={snb(hist, N)!r}"
          f" snb with Shlosser's formula={snb(hist, N, False)!r}")
