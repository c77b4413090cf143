"""Built-in kit ``monte-carlo``: variance reduction for integrals, π and an option price.

Every estimator gets the same number of integrand evaluations on a problem with a known exact
value. Real effects (control variates and Sobol points on smooth integrands), a real negative
result (antithetic pairs on a symmetric integrand double the variance) and nulls (a control
variate uncorrelated with the integrand; absolute error at equal budget with few seeds).
"""

from __future__ import annotations

import random
from typing import Any

from researchos.kits.ideas import conditions, excerpt, focus_order, mentions, order_for_brief
from researchos.kits.matching import check_brief
from researchos.kits.models import IdeaFlag, IdeaSeed
from researchos.kits.program import ProgramKit
from researchos.kits.registry import kit

PROBLEMS = {
    "call_option": ("option", "black scholes", "black-scholes", "finance", "pricing"),
    "pi": ("pi",),
    "exp_integral": ("integral", "integration", "quadrature", "exponential"),
}
LABEL = {
    "call_option": "a European call price",
    "pi": "π",
    "exp_integral": "∫₀¹ eˣ dx",
}

SCHEMA: dict[str, dict[str, Any]] = {
    "problem": {
        "type": "str",
        "choices": ["pi", "exp_integral", "symmetric_quadratic", "call_option"],
        "default": "pi",
    },
    "estimator": {"type": "str", "choices": ["plain", "antithetic", "control", "sobol"]},
    "samples": {"type": "int", "min": 64, "max": 2**22, "default": 2**14},
    "replicates": {"type": "int", "min": 2, "max": 256, "default": 16},
    "batches": {"type": "int", "min": 1, "max": 10_000, "default": 1},
    "strike": {"type": "float", "min": 1.0, "max": 1000.0, "default": 105.0},
    "volatility": {"type": "float", "min": 0.01, "max": 2.0, "default": 0.2},
}
ALL_ESTIMATORS = {
    "plain": {"estimator": "plain"},
    "antithetic": {"estimator": "antithetic"},
    "control": {"estimator": "control"},
    "sobol": {"estimator": "sobol"},
}


@kit
class MonteCarlo(ProgramKit):
    name = "monte-carlo"
    title = "Monte-Carlo estimators and variance reduction"
    description = (
        "Plain Monte Carlo versus antithetic variates, control variates and scrambled Sobol "
        "quasi-Monte Carlo on π, a smooth integral and a Black-Scholes call, at an equal "
        "number of evaluations: absolute error, standard error, variance-reduction factor."
    )
    keywords = (
        "monte carlo",
        "monte-carlo",
        "simulation",
        "estimator",
        "variance reduction",
        "antithetic",
        "control variate",
        "quasi-monte carlo",
        "qmc",
        "sobol",
        "low-discrepancy",
        "integral",
        "integration",
        "option pricing",
        "black-scholes",
        "pi",
        "sampling",
        "standard error",
    )
    program = "montecarlo.py"
    schema = SCHEMA
    metrics = ("abs_error", "std_error", "variance_reduction", "estimate", "evaluations")
    requirements = ("numpy", "scipy")

    def ideas(self, brief: str, rng: random.Random) -> list[IdeaSeed]:
        brief = check_brief(brief)
        problems = focus_order(mentions(brief, PROBLEMS), list(PROBLEMS), rng)
        note = f"Brief: “{excerpt(brief)}”."
        seeds = [self._shootout(problem, note) for problem in problems]
        seeds += [
            self._qmc_budget(problems[0], note),
            self._antithetic_symmetric(note),
            self._useless_control(note),
            self._equal_budget_error(note),
            self._moneyness(note),
            self._duplicate(problems[0], note),
            self._too_expensive(note),
            self._not_falsifiable(note),
            self._infeasible(note),
            self._low_value(note),
        ]
        return order_for_brief(seeds, brief, rng)

    def _idea(self, idea_id: str, **fields: Any) -> IdeaSeed:
        fields.setdefault("cost_cpu_seconds", 0.6)
        fields.setdefault("direction", "lower")
        fields.setdefault("primary_metric", "std_error")
        fields.setdefault("secondary_metrics", ("abs_error", "variance_reduction"))
        fields.setdefault("baseline", "plain")
        return IdeaSeed(id=f"mc-{idea_id}".replace("_", "-"), kit=self.name, **fields)

    def _shootout(self, problem: str, note: str) -> IdeaSeed:
        return self._idea(
            f"shootout-{problem}",
            title=f"Variance reduction for {LABEL[problem]}",
            hypothesis=f"At 16,384 evaluations, antithetic, control-variate and Sobol "
            f"estimators of {LABEL[problem]} have smaller standard errors than plain MC.",
            rationale=f"{note} The classic estimators compared at an equal evaluation budget.",
            conditions=conditions(ALL_ESTIMATORS),
            parameters={"problem": problem},
            cost_cpu_seconds=1.0,
            tags=("variance-reduction", problem),
            novelty_hint=0.3,
        )

    def _qmc_budget(self, problem: str, note: str) -> IdeaSeed:
        arms = {
            "plain": {"estimator": "plain", "samples": 65536},
            "sobol-4096": {"estimator": "sobol", "samples": 4096},
        }
        return self._idea(
            f"qmc-budget-{problem}",
            title=f"Sobol with 16× fewer points than plain MC on {LABEL[problem]}",
            hypothesis=f"Scrambled Sobol with 4,096 points estimates {LABEL[problem]} more "
            "accurately than plain Monte Carlo with 65,536.",
            rationale=f"{note} QMC error decays near 1/n instead of 1/√n on smooth integrands.",
            conditions=conditions(arms),
            parameters={"problem": problem},
            primary_metric="abs_error",
            secondary_metrics=("std_error",),
            cost_cpu_seconds=1.0,
            tags=("quasi-monte-carlo", "budget", problem),
            novelty_hint=0.55,
        )

    def _antithetic_symmetric(self, note: str) -> IdeaSeed:
        return self._idea(
            "antithetic-symmetric",
            title="Antithetic variates on a symmetric integrand",
            hypothesis="For f(u) = (u − ½)², antithetic pairs double the variance per "
            "evaluation instead of reducing it.",
            rationale=f"{note} f(u) = f(1 − u), so each pair repeats one value.",
            conditions=conditions(
                {"plain": ALL_ESTIMATORS["plain"], "antithetic": ALL_ESTIMATORS["antithetic"]}
            ),
            parameters={"problem": "symmetric_quadratic"},
            primary_metric="variance_reduction",
            direction="higher",
            secondary_metrics=("std_error", "abs_error"),
            tags=("negative-result", "antithetic"),
            novelty_hint=0.45,
        )

    def _useless_control(self, note: str) -> IdeaSeed:
        return self._idea(
            "uncorrelated-control",
            title="A control variate uncorrelated with the integrand",
            hypothesis="Using u as a control variate for (u − ½)² gives no variance reduction.",
            rationale=f"{note} The optimal coefficient is zero when cov(f, g) = 0.",
            conditions=conditions(
                {"plain": ALL_ESTIMATORS["plain"], "control": ALL_ESTIMATORS["control"]}
            ),
            parameters={"problem": "symmetric_quadratic"},
            tags=("null-result", "control-variate"),
            novelty_hint=0.25,
        )

    def _equal_budget_error(self, note: str) -> IdeaSeed:
        return self._idea(
            "pi-abs-error",
            title="Absolute error of antithetic vs plain estimates of π",
            hypothesis="At 16,384 evaluations antithetic sampling gives a smaller absolute "
            "error for π than plain Monte Carlo.",
            rationale=f"{note} Its variance is ~1.4× smaller: is that visible with 5 seeds?",
            conditions=conditions(
                {"plain": ALL_ESTIMATORS["plain"], "antithetic": ALL_ESTIMATORS["antithetic"]}
            ),
            parameters={"problem": "pi"},
            primary_metric="abs_error",
            secondary_metrics=("std_error",),
            cost_cpu_seconds=0.4,
            tags=("power", "pi"),
            novelty_hint=0.3,
        )

    def _moneyness(self, note: str) -> IdeaSeed:
        arms = {
            "control-atm": {"estimator": "control", "strike": 100.0},
            "control-otm": {"estimator": "control", "strike": 140.0},
        }
        return self._idea(
            "control-moneyness",
            title="Control-variate gains for at- vs out-of-the-money calls",
            hypothesis="The terminal price is a weaker control for a deep out-of-the-money call: "
            "its variance-reduction factor is lower than at the money.",
            rationale=f"{note} The payoff's correlation with S_T falls as the strike rises.",
            conditions=conditions(arms),
            parameters={"problem": "call_option"},
            baseline="control-atm",
            primary_metric="variance_reduction",
            direction="higher",
            secondary_metrics=("std_error",),
            tags=("option-pricing", "control-variate"),
            novelty_hint=0.6,
        )

    def _duplicate(self, problem: str, note: str) -> IdeaSeed:
        original = self._shootout(problem, note)
        return original.model_copy(
            update={
                "id": f"{original.id}-restated",
                "title": f"Comparing MC variance-reduction techniques on {LABEL[problem]}",
                "flags": (
                    IdeaFlag(reason="duplicate_of", detail="same four arms", ref=original.id),
                ),
            }
        )

    def _too_expensive(self, note: str) -> IdeaSeed:
        return self._idea(
            "billions",
            title="Plain vs antithetic π with 8 billion samples per run",
            hypothesis="With 8·10⁹ samples the antithetic estimate of π is closer to the truth.",
            rationale=f"{note} Brute force until the error is tiny.",
            conditions=conditions(
                {"plain": ALL_ESTIMATORS["plain"], "antithetic": ALL_ESTIMATORS["antithetic"]}
            ),
            parameters={"problem": "pi", "samples": 2**22, "batches": 2000},
            primary_metric="abs_error",
            cost_cpu_seconds=300.0,
            tags=("brute-force", "pi"),
            flags=(
                IdeaFlag(reason="too_expensive", detail="about 300 CPU-s per run, 50 min total"),
            ),
        )

    def _not_falsifiable(self, note: str) -> IdeaSeed:
        return self._idea(
            "elegance",
            title="Monte Carlo is the most natural way to integrate",
            hypothesis="Random sampling is the most natural integration method.",
            rationale=f"{note} A matter of taste, not of measurement.",
            conditions=conditions({"plain": ALL_ESTIMATORS["plain"]}),
            tags=("vague",),
            novelty_hint=0.05,
            flags=(IdeaFlag(reason="not_falsifiable", detail="'natural' has no measurement"),),
        )

    def _infeasible(self, note: str) -> IdeaSeed:
        return self._idea(
            "path-integral",
            title="Quasi-MC for a 1,000-dimensional path integral",
            hypothesis="Sobol points beat plain MC on a 1,000-dimensional path integral.",
            rationale=f"{note} High-dimensional QMC in practice.",
            conditions=conditions(
                {"plain": ALL_ESTIMATORS["plain"], "sobol": ALL_ESTIMATORS["sobol"]}
            ),
            parameters={"problem": "path_integral"},
            primary_metric="abs_error",
            tags=("high-dimensional",),
            flags=(
                IdeaFlag(
                    reason="infeasible",
                    detail="no exact value is known to measure the error against",
                ),
            ),
        )

    def _low_value(self, note: str) -> IdeaSeed:
        arms = {
            "plain": {"estimator": "plain", "samples": 16384},
            "plain-16448": {"estimator": "plain", "samples": 16448},
        }
        return self._idea(
            "n-plus-64",
            title="Plain MC with 64 more samples",
            hypothesis="16,448 samples estimate π better than 16,384.",
            rationale=f"{note} A 0.4% larger sample.",
            conditions=conditions(arms),
            parameters={"problem": "pi"},
            primary_metric="abs_error",
            cost_cpu_seconds=0.3,
            tags=("sample-size", "pi"),
            novelty_hint=0.05,
            flags=(
                IdeaFlag(reason="low_value", detail="expected gain 0.2% of the standard error"),
            ),
        )
