#include "phiguard/risk/population.h"

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

#include "phiguard/core/strings.h"

namespace phiguard::risk {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// psi(x), the digamma function: recurrence up to x >= 6, then the asymptotic series.
double Digamma(double x) {
  if (x <= 0 && x == std::floor(x)) return kNaN;
  if (x < 0) return Digamma(1 - x) - std::numbers::pi / std::tan(std::numbers::pi * x);
  double acc = 0;
  while (x < 6) {
    acc -= 1 / x;
    x += 1;
  }
  const double r = 1 / x, r2 = r * r;
  return acc + std::log(x) - 0.5 * r -
         r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 / 132))));
}

// psi'(x), the trigamma function.
double Trigamma(double x) {
  if (x <= 0 && x == std::floor(x)) return kNaN;
  if (x < 0) {
    const double s = std::sin(std::numbers::pi * x);
    return std::numbers::pi * std::numbers::pi / (s * s) - Trigamma(1 - x);
  }
  double acc = 0;
  while (x < 6) {
    acc += 1 / (x * x);
    x += 1;
  }
  const double r = 1 / x, r2 = r * r;
  return acc + r + 0.5 * r2 +
         r * r2 * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30))));
}

struct Vec2 {
  double x = 0, y = 0;
};
struct Mat2 {
  double xx = 0, xy = 0, yx = 0, yy = 0;  // row x = (dF1/dx, dF1/dy), row y = (dF2/dx, dF2/dy)
};
using System = std::function<void(Vec2 at, Vec2& f, Mat2& jacobian)>;

bool IsNaN(Vec2 v) { return std::isnan(v.x) || std::isnan(v.y); }

// Newton-Raphson on a 2x2 system, with ARX's restarts: from `start`, then, while a try diverges
// (NaN) or runs out of iterations, from the grid {0, .33, .66, .99}^2 in order; taking the last grid
// point ends the search after one step (as ARX's solver does). Converged when |F1| and |F2| are
// within the accuracy. With `x_nonnegative`, a step to x < 0 ends its try, as a NaN does (ARX's
// constraint theta >= 0 for Pitman; without it Newton can settle on another root). NaN when no
// try converges.
Vec2 SolveNewton(const System& system, Vec2 start, const PopulationSolverOptions& o,
                 bool x_nonnegative = false) {
  std::vector<Vec2> grid;
  for (double a = 0; a < 1; a += 0.33) {
    for (double b = 0; b < 1; b += 0.33) grid.push_back({a, b});
  }
  size_t next = 0;
  int total = 0;
  for (bool first = true; total <= o.iterations_total; first = false) {
    Vec2 x = first ? start : grid[next++];
    for (int it = 0;; ++it) {
      ++total;
      Vec2 f;
      Mat2 j;
      system(x, f, j);
      if (std::abs(f.x) <= o.accuracy && std::abs(f.y) <= o.accuracy) return x;
      const double det = j.xx * j.yy - j.xy * j.yx;
      x.x -= (j.yy * f.x - j.xy * f.y) / det;
      x.y -= (-j.yx * f.x + j.xx * f.y) / det;
      if (next == grid.size()) return {kNaN, kNaN};
      if ((x_nonnegative && x.x < 0) || IsNaN(x) || it >= o.iterations_per_try) break;
    }
  }
  return {kNaN, kNaN};
}

struct Sample {
  const std::map<uint64_t, uint64_t>& sizes;
  double n = 0;          // records
  double u = 0;          // classes
  double c1 = 0, c2 = 0; // classes of size 1 and 2
  double N = 0;          // population
  double f = 0;          // n / N
};

bool Valid(double v) { return !std::isnan(v) && v != 0; }

// Pitman: maximum-likelihood (theta, alpha) of the Pitman sampling formula (Hoshino 2001), from
// Hoshino's moment estimate; uniques = Gamma(theta + 1) / Gamma(theta + alpha) * N^alpha.
double Pitman(const Sample& s, const PopulationSolverOptions& o) {
  const double c2 = s.c2 != 0 ? s.c2 : 1;
  const double c = s.c1 * (s.c1 - 1) / c2;
  const double t0 = (s.n * s.u * c - s.c1 * (s.n - 1) * (2 * s.u + c)) /
                    (2 * s.c1 * s.u + s.c1 * c - s.n * c);
  const double a0 = (t0 * (s.c1 - s.n) + (s.n - 1) * s.c1) / (s.n * s.u);
  // The score equations with the sums over i = 1..u-1 taken term by term (and the others too where
  // their arguments are not positive): slower, but exact everywhere. The closed forms below lose
  // all precision where digamma needs its reflection formula (alpha <= 0 puts t/alpha + u far below
  // zero), which would send Newton down another path to another root.
  System exact = [&s](Vec2 at, Vec2& f, Mat2& jac) {
    const double t = at.x, a = at.y;
    double s1 = 0, q1 = 0, si = 0, qi = 0, qii = 0, sn = 0, qn = 0, sk = 0, qk = 0;
    for (double i = 1; i < s.u; ++i) {
      const double d = 1 / (t + i * a);
      s1 += d;
      q1 += d * d;
      si += i * d;
      qi += i * d * d;
      qii += i * i * d * d;
    }
    if (t + 1 > 0) {  // positive arguments: the closed forms are exact enough
      sn = Digamma(s.n + t) - Digamma(t + 1);
      qn = Trigamma(t + 1) - Trigamma(s.n + t);
    } else {
      for (double i = 1; i < s.n; ++i) {
        const double d = 1 / (t + i);
        sn += d;
        qn += d * d;
      }
    }
    for (const auto& [k, count] : s.sizes) {
      double sj = 0, qj = 0;
      if (a < 1) {
        sj = Digamma(static_cast<double>(k) - a) - Digamma(1 - a);
        qj = Trigamma(1 - a) - Trigamma(static_cast<double>(k) - a);
      } else {
        for (double j = 1; j < static_cast<double>(k); ++j) {
          sj += 1 / (j - a);
          qj += 1 / ((j - a) * (j - a));
        }
      }
      sk += static_cast<double>(count) * sj;
      qk += static_cast<double>(count) * qj;
    }
    f = {s1 - sn, si - sk};
    jac = {qn - q1, -qi, -qi, -qii - qk};
  };
  // Score equations: F1 = dL/dtheta, F2 = dL/dalpha, with the sums over i = 1..u-1, i = 1..n-1 and
  // j = 1..k-1 in closed form through digamma and trigamma.
  System system = [&s, &exact](Vec2 at, Vec2& f, Mat2& jac) {
    const double t = at.x, a = at.y, u1 = s.u - 1;
    if (!(a > 0 && a < 1 && t + a > 0)) return exact(at, f, jac);
    const double psi_hi = Digamma(t / a + s.u), psi_lo = Digamma(t / a + 1);
    const double tri_hi = Trigamma(t / a + s.u), tri_lo = Trigamma(t / a + 1);
    const double s1 = (psi_hi - psi_lo) / a;          // sum 1/(t+ia)
    const double q1 = (tri_lo - tri_hi) / (a * a);    // sum 1/(t+ia)^2
    const double si = (u1 - t * s1) / a;              // sum i/(t+ia)
    const double qi = (s1 - t * q1) / a;              // sum i/(t+ia)^2
    const double qii = (u1 - 2 * t * s1 + t * t * q1) / (a * a);  // sum i^2/(t+ia)^2
    const double sn = Digamma(s.n + t) - Digamma(t + 1);           // sum 1/(t+i), i < n
    const double qn = Trigamma(t + 1) - Trigamma(s.n + t);         // sum 1/(t+i)^2
    double sk = 0, qk = 0;  // sum over classes of size k >= 2 of sum_j 1/(j-a) and 1/(j-a)^2
    const double psi_a = Digamma(1 - a), tri_a = Trigamma(1 - a);
    for (const auto& [k, count] : s.sizes) {
      if (k == 1) continue;
      sk += static_cast<double>(count) * (Digamma(static_cast<double>(k) - a) - psi_a);
      qk += static_cast<double>(count) * (tri_a - Trigamma(static_cast<double>(k) - a));
    }
    f = {s1 - sn, si - sk};
    jac = {qn - q1, -qi, -qi, -qii - qk};
  };
  // As ARX does, a closed-form solution that does not satisfy the term-by-term equations is
  // discarded and the term-by-term system solved instead.
  Vec2 r = SolveNewton(system, {t0, a0}, o, /*x_nonnegative=*/true);
  Vec2 check;
  Mat2 unused;
  if (!IsNaN(r)) exact(r, check, unused);
  if (IsNaN(r) || IsNaN(check) || std::abs(check.x) > o.accuracy || std::abs(check.y) > o.accuracy) {
    r = SolveNewton(exact, {t0, a0}, o, /*x_nonnegative=*/true);
  }
  const double t = r.x, a = r.y;
  if (IsNaN(r) || a == 0) return kNaN;
  const double uniques = std::exp(std::lgamma(t + 1) - std::lgamma(t + a) + a * std::log(s.N));
  return uniques >= 0 && uniques <= s.N ? uniques : kNaN;
}

// log P(X = 1) for X hypergeometric: population N, k successes, n draws:
// k * n / N * prod_{i=0}^{k-2} (N-n-i) / (N-1-i), in log1p form for large N.
double LogHypergeometricOne(double N, double k, double n) {
  if (k > N || n > N) return -std::numeric_limits<double>::infinity();
  double log_p = std::log(k) + std::log(n) - std::log(N);
  for (double i = 0; i + 2 <= k; ++i) {
    if (N - n - i <= 0) return -std::numeric_limits<double>::infinity();
    log_p += std::log1p(-(n - 1) / (N - 1 - i));
  }
  return log_p;
}

// Zayatz: the share of sample uniques that are population uniques is
// P(X=1 | class of size 1) * c1 / sum_k P(X=1 | class of size k) * c_k; uniques = c1 * share / f.
double Zayatz(const Sample& s) {
  double denominator = 0;
  for (const auto& [k, count] : s.sizes) {
    denominator += static_cast<double>(count) / s.u *
                   std::exp(LogHypergeometricOne(s.N, static_cast<double>(k), s.n));
  }
  const double share =
      s.c1 / s.u * std::exp(LogHypergeometricOne(s.N, 1, s.n)) / denominator;
  return s.c1 * share / s.f;
}

// Shlosser's estimate of the number of non-empty population classes (Haas et al. 1995).
double Shlosser(const Sample& s, bool as_arx) {
  double num1 = 0, den1 = 0, num2 = 0, den2 = 0;
  const double f = s.f;
  for (const auto& [size, count] : s.sizes) {
    const double i = static_cast<double>(size), c = static_cast<double>(count);
    const double miss = std::pow(1 - f, i) * c;
    num1 += i * f * f * std::pow(1 - f * f, i - 1) * c;
    // ARX subtracts 1 per class size where Shlosser subtracts (1-f)^i c_i.
    den1 += as_arx ? miss * std::pow(1 + f, i) - 1 : miss * (std::pow(1 + f, i) - 1);
    num2 += miss;
    den2 += i * f * std::pow(1 - f, i - 1) * c;
  }
  return s.u + s.c1 * (num1 / den1) * (num2 / den2) * (num2 / den2);
}

// SNB (Chen & Keller-McNulty 1998): with K population classes whose sizes follow a slide negative
// binomial (alpha, beta) and Bernoulli sampling at rate f, the expected numbers of sample classes
// of size 1 and 2 are matched to c1 and c2; uniques = K * beta^alpha. The equations and their
// Jacobian are ARX's, so that Newton takes the same path from (1, 1) to the same root.
double Snb(const Sample& s, bool as_arx, const PopulationSolverOptions& o) {
  const double K = Shlosser(s, as_arx), f = s.f;
  System system = [&s, K, f](Vec2 at, Vec2& out, Mat2& jac) {
    const double a = at.x, b = at.y;
    const double w = (b - 1) * (f - 1);  // (1-f)(1-b)
    const double w1 = w - 1, w2 = 1 - w;
    out.x = K * f * std::pow(b / w2, a) * (a * w / w2 + 1) - s.c1;
    out.y = K * a * std::pow(b, a) * f * f * (1 - b) / 2 * std::pow(w2, a + 2) * (2 - (1 - a) * w) -
            s.c2;
    const double g = a * w / w1 - 1;
    const double h = std::pow(-b / w1, a);
    const double f2 = f * f, ba = std::pow(b, a), fk = f * K, f2k = f2 * K;
    const double shape = (a - 1) * w + 2;
    const double d = 2 * std::pow(w2, a + 2);
    jac.xx = -fk * std::log(-b / w1) * g * h - fk * h * w / w1;
    jac.xy = a * fk * (1 / w1 - b * (f - 1) / (w1 * w1)) * g * std::pow(-b / w1, a - 1) -
             fk * h * (a * (f - 1) / w1 - a * (b - 1) * (f - 1) * (f - 1) / (w1 * w1));
    jac.yx = (a * ba * f2k * std::log(w2) * shape * (b - 1)) / d -
             (a * ba * f2k * (b - 1) * (b - 1) * (f - 1)) / d - (ba * f2k * shape * (b - 1)) / d -
             (a * ba * f2k * std::log(b) * shape * (b - 1)) / d;
    jac.yy = -(a * ba * f2k * shape) / d - (a * a * std::pow(b, a - 1) * f2k * shape * (b - 1)) / d -
             (a * ba * f2k * (a - 1) * w) / d -
             (a * ba * f2k * shape * (a + 2) * w) / (2 * std::pow(w2, a + 3));
  };
  const Vec2 r = SolveNewton(system, {1, 1}, o);
  return K * std::pow(r.y, r.x);
}

}  // namespace

std::string_view UniquenessModelName(UniquenessModel m) {
  switch (m) {
    case UniquenessModel::kPitman:
      return "pitman";
    case UniquenessModel::kZayatz:
      return "zayatz";
    case UniquenessModel::kSnb:
      return "snb";
    case UniquenessModel::kNone:
      break;
  }
  return "none";
}

namespace {

// The sample behind `class_sizes`; InvalidArgument as EstimatePopulationUniqueness documents.
absl::StatusOr<Sample> MakeSample(const std::map<uint64_t, uint64_t>& class_sizes,
                                  double population_size) {
  if (class_sizes.empty()) return absl::InvalidArgumentError("the sample has no records");
  Sample s{class_sizes};
  for (const auto& [size, count] : class_sizes) {
    if (size == 0 || count == 0) {
      return absl::InvalidArgumentError("class sizes and their counts must be positive");
    }
    s.n += static_cast<double>(size) * static_cast<double>(count);
    s.u += static_cast<double>(count);
  }
  if (!(population_size >= s.n) || !std::isfinite(population_size)) {
    return absl::InvalidArgumentError(Cat("the population size must be at least the sample size ",
                                          static_cast<uint64_t>(s.n)));
  }
  auto it = class_sizes.find(1);
  s.c1 = it == class_sizes.end() ? 0 : static_cast<double>(it->second);
  it = class_sizes.find(2);
  s.c2 = it == class_sizes.end() ? 0 : static_cast<double>(it->second);
  s.N = population_size;
  s.f = s.n / s.N;
  return s;
}

}  // namespace

absl::StatusOr<PopulationUniqueness> EstimatePopulationUniqueness(
    const std::map<uint64_t, uint64_t>& class_sizes, double population_size,
    const PopulationSolverOptions& options) {
  auto sample = MakeSample(class_sizes, population_size);
  if (!sample.ok()) return sample.status();
  const Sample& s = *sample;
  PopulationUniqueness r;
  r.population_size = s.N;
  r.sample_size = static_cast<uint64_t>(s.n);
  r.sampling_fraction = s.f;
  if (s.c1 == 0) return r;  // no sample uniques: no population uniques

  const double pitman = Pitman(s, options);
  const double zayatz = Zayatz(s);
  const double snb = Snb(s, options.shlosser_as_arx, options);
  r.pitman_valid = Valid(pitman);
  r.zayatz_valid = Valid(zayatz);
  r.snb_valid = Valid(snb);
  r.pitman = r.pitman_valid ? pitman : 0;
  r.zayatz = r.zayatz_valid ? zayatz : 0;
  r.snb = r.snb_valid ? snb : 0;
  if (s.f <= 0.1) {
    r.dankar_model = r.pitman_valid ? UniquenessModel::kPitman : UniquenessModel::kZayatz;
  } else if (r.snb_valid && !(zayatz < snb)) {  // NaN Zayatz: SNB, as ARX
    r.dankar_model = UniquenessModel::kSnb;
  } else {
    r.dankar_model = UniquenessModel::kZayatz;
  }
  r.dankar = r.dankar_model == UniquenessModel::kPitman ? r.pitman
             : r.dankar_model == UniquenessModel::kSnb  ? r.snb
                                                         : r.zayatz;
  return r;
}

absl::StatusOr<double> EstimatePopulationUniques(const std::map<uint64_t, uint64_t>& class_sizes,
                                                 double population_size,
                                                 UniquenessEstimator estimator,
                                                 const PopulationSolverOptions& options) {
  auto sample = MakeSample(class_sizes, population_size);
  if (!sample.ok()) return sample.status();
  const Sample& s = *sample;
  if (s.c1 == 0) return 0.0;
  auto valid = [](double v) { return Valid(v) ? v : 0.0; };
  switch (estimator) {
    case UniquenessEstimator::kPitman:
      return valid(Pitman(s, options));
    case UniquenessEstimator::kZayatz:
      return valid(Zayatz(s));
    case UniquenessEstimator::kSnb:
      return valid(Snb(s, options.shlosser_as_arx, options));
    case UniquenessEstimator::kDankar:
      break;
  }
  if (s.f <= 0.1) return valid(Pitman(s, options));  // no Zayatz fallback, as ARX's criterion
  const double zayatz = Zayatz(s);
  const double snb = Snb(s, options.shlosser_as_arx, options);
  if (Valid(snb)) return valid(zayatz < snb ? zayatz : snb);
  return valid(zayatz);
}

namespace {
// By UniquenessEstimator value.
constexpr std::string_view kEstimatorNames[] = {"dankar", "pitman", "zayatz", "snb"};
}  // namespace

absl::StatusOr<UniquenessEstimator> ParseUniquenessEstimator(std::string_view name) {
  for (size_t i = 0; i < std::size(kEstimatorNames); ++i) {
    if (EqualsIgnoreCase(name, kEstimatorNames[i])) return static_cast<UniquenessEstimator>(i);
  }
  return absl::InvalidArgumentError(
      Cat("unknown population uniqueness model '", name, "' (dankar, pitman, zayatz, snb)"));
}

std::string_view UniquenessEstimatorName(UniquenessEstimator e) {
  return kEstimatorNames[static_cast<size_t>(e)];
}

}  // namespace phiguard::risk
