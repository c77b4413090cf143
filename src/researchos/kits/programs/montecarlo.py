"""Monte-Carlo estimators: plain, antithetic, control variates and scrambled Sobol (QMC).

Built by the ResearchOS kit ``monte-carlo``. Every estimator spends the same number of
integrand evaluations on a problem whose exact value is known, so the absolute error, the
standard error and the variance-reduction factor (plain variance per evaluation divided by the
estimator's) compare like with like. Deterministic given the seed. Writes ``metrics.jsonl`` and
``estimate.csv`` into RESEARCHOS_OUTPUT_DIR.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # the code dir may be read-only: write only to the output dir

import math  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import contract  # noqa: E402

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Problem:
    """An integral over the unit cube with a known value and a control variate g (mean known)."""

    dims: int
    exact: float
    f: Callable[[Any], Any]
    g: Callable[[Any], Any]
    g_mean: float


def _call_price(spot: float, strike: float, rate: float, vol: float, years: float) -> float:
    """Black-Scholes price of a European call: the exact value the estimators aim at."""
    d1 = (math.log(spot / strike) + (rate + vol * vol / 2) * years) / (vol * math.sqrt(years))
    d2 = d1 - vol * math.sqrt(years)
    cdf = lambda v: 0.5 * (1 + math.erf(v / math.sqrt(2)))  # noqa: E731
    return spot * cdf(d1) - strike * math.exp(-rate * years) * cdf(d2)


def make_problem(name: str, params: dict[str, Any]) -> Problem:
    import numpy as np

    if name == "pi":
        inside = lambda u: 4.0 * (u[:, 0] ** 2 + u[:, 1] ** 2 <= 1.0)  # noqa: E731
        return Problem(2, math.pi, inside, lambda u: u[:, 0] ** 2 + u[:, 1] ** 2, 2.0 / 3.0)
    if name == "exp_integral":
        return Problem(1, math.e - 1, lambda u: np.exp(u[:, 0]), lambda u: u[:, 0], 0.5)
    if name == "symmetric_quadratic":
        return Problem(1, 1 / 12, lambda u: (u[:, 0] - 0.5) ** 2, lambda u: u[:, 0], 0.5)
    return _option_problem(params)


def _option_problem(params: dict[str, Any]) -> Problem:
    import numpy as np
    from scipy.special import ndtri

    spot, strike, rate, vol, years = 100.0, params["strike"], 0.05, params["volatility"], 1.0
    discount = math.exp(-rate * years)

    def terminal(u: Any) -> Any:
        z = ndtri(np.clip(u[:, 0], 1e-12, 1 - 1e-12))
        return spot * np.exp((rate - vol * vol / 2) * years + vol * math.sqrt(years) * z)

    return Problem(
        1,
        _call_price(spot, strike, rate, vol, years),
        lambda u: discount * np.maximum(terminal(u) - strike, 0.0),
        lambda u: discount * terminal(u),
        spot,
    )


def plain(problem: Problem, n: int, rng: Any, params: dict[str, Any]) -> tuple[float, float]:
    values = problem.f(rng.random((n, problem.dims)))
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(n))


def antithetic(problem: Problem, n: int, rng: Any, params: dict[str, Any]) -> tuple[float, float]:
    u = rng.random((n // 2, problem.dims))
    pairs = (problem.f(u) + problem.f(1.0 - u)) / 2
    return float(pairs.mean()), float(pairs.std(ddof=1) / math.sqrt(n // 2))


def control(problem: Problem, n: int, rng: Any, params: dict[str, Any]) -> tuple[float, float]:
    import numpy as np

    u = rng.random((n, problem.dims))
    f, g = problem.f(u), problem.g(u)
    covariance = np.cov(f, g, ddof=1)
    beta = covariance[0, 1] / covariance[1, 1] if covariance[1, 1] > 0 else 0.0
    adjusted = f - beta * (g - problem.g_mean)
    return float(adjusted.mean()), float(adjusted.std(ddof=1) / math.sqrt(n))


def sobol(problem: Problem, n: int, rng: Any, params: dict[str, Any]) -> tuple[float, float]:
    """Randomised QMC: independent scrambles give an honest standard error."""
    from scipy.stats import qmc

    replicates = params["replicates"]
    points = n // replicates
    if points < 2 or points & (points - 1) or n % replicates:
        raise contract.ContractError(
            f"sobol needs samples/replicates to be a power of two >= 2, got {n}/{replicates}"
        )
    means = [
        float(problem.f(qmc.Sobol(problem.dims, scramble=True, rng=rng).random(points)).mean())
        for _ in range(replicates)
    ]
    spread = float(sum((m - sum(means) / replicates) ** 2 for m in means) / (replicates - 1))
    return sum(means) / replicates, math.sqrt(spread / replicates)


ESTIMATORS = {"plain": plain, "antithetic": antithetic, "control": control, "sobol": sobol}


def experiment(run: contract.Run) -> dict[str, float]:
    import numpy as np

    params, n, batches = run.params, run.params["samples"], run.params["batches"]
    problem = make_problem(params["problem"], params)
    estimate_rng = np.random.default_rng([run.seed, 0])
    estimator = ESTIMATORS[params["estimator"]]
    results = [estimator(problem, n, estimate_rng, params) for _ in range(batches)]
    # independent batches: average the estimates, combine the standard errors
    estimate = sum(value for value, _ in results) / batches
    std_error = math.sqrt(sum(error * error for _, error in results)) / batches
    # a plain pilot from its own stream measures the variance per evaluation to beat
    pilot = problem.f(np.random.default_rng([run.seed, 1]).random((n, problem.dims)))
    plain_variance = float(pilot.var(ddof=1))
    own_variance = std_error * std_error * n * batches
    reduction = plain_variance / own_variance if own_variance > 0 else float("inf")
    metrics = {
        "estimate": estimate,
        "abs_error": abs(estimate - problem.exact),
        "std_error": std_error,
        "variance_reduction": min(reduction, 1e12),
        "evaluations": float(n * batches),
    }
    contract.write_csv(
        run,
        "estimate.csv",
        ["problem", "estimator", "exact", *metrics],
        [[params["problem"], params["estimator"], problem.exact, *metrics.values()]],
    )
    return metrics


if __name__ == "__main__":
    sys.exit(contract.main(experiment, HERE))
