"""Built-in kit ``classifier-comparison``: classifiers and preprocessing under cross-validation.

Runs on scikit-learn's bundled datasets (no network). Some comparisons have a large real
effect (standardising features before k-NN on wine or breast_cancer), others none by
construction (standardising before a random forest, whose splits ignore feature scale), so
the analysis shows both effects and null results.
"""

from __future__ import annotations

import random
from typing import Any

from researchos.kits.ideas import conditions, excerpt, focus_order, mentions, order_for_brief
from researchos.kits.matching import check_brief
from researchos.kits.models import IdeaFlag, IdeaSeed
from researchos.kits.program import ProgramKit
from researchos.kits.registry import kit

DATASETS = {
    "wine": ("wine",),
    "breast_cancer": ("breast cancer", "breast_cancer", "cancer"),
    "digits": ("digit", "mnist", "handwritten"),
    "iris": ("iris",),
}
# seconds per run measured on one core, sklearn import (~0.8 s) included
COST = {"iris": 1.2, "wine": 1.2, "breast_cancer": 1.5, "digits": 2.0}

SCHEMA: dict[str, dict[str, Any]] = {
    "dataset": {"type": "str", "choices": list(DATASETS), "default": "iris"},
    "model": {
        "type": "str",
        "choices": ["logreg", "random_forest", "knn", "decision_tree", "naive_bayes"],
    },
    "scale": {"type": "bool", "default": False},
    "label_noise": {"type": "float", "min": 0.0, "max": 0.5, "default": 0.0},
    "folds": {"type": "int", "min": 2, "max": 10, "default": 5},
    "repeats": {"type": "int", "min": 1, "max": 100, "default": 1},
    "k": {"type": "int", "min": 1, "max": 50, "default": 5},
    "trees": {"type": "int", "min": 1, "max": 500, "default": 50},
    "C": {"type": "float", "min": 1e-4, "max": 1e4, "default": 1.0},
    "max_iter": {"type": "int", "min": 10, "max": 10000, "default": 2000},
}


@kit
class ClassifierComparison(ProgramKit):
    name = "classifier-comparison"
    title = "Classifier and preprocessing comparison"
    description = (
        "Cross-validated accuracy and macro-F1 of scikit-learn classifiers (logistic "
        "regression, random forest, k-NN, decision tree, naive Bayes) with and without "
        "standardisation or label noise, on the bundled iris, wine, breast_cancer and digits "
        "datasets."
    )
    keywords = (
        "classifier",
        "classification",
        "scikit-learn",
        "sklearn",
        "logistic regression",
        "random forest",
        "nearest neighbour",
        "nearest neighbor",
        "knn",
        "k-nn",
        "standardisation",
        "standardization",
        "scaling features",
        "feature scaling",
        "preprocessing",
        "cross-validation",
        "accuracy",
        "f1",
        "label noise",
        "iris",
        "wine",
        "digits",
        "breast cancer",
        "machine learning",
    )
    program = "classifiers.py"
    schema = SCHEMA
    metrics = ("accuracy", "macro_f1", "accuracy_fold_sd")
    requirements = ("numpy", "scipy", "scikit-learn")

    def ideas(self, brief: str, rng: random.Random) -> list[IdeaSeed]:
        brief = check_brief(brief)
        datasets = focus_order(mentions(brief, DATASETS), list(DATASETS), rng)
        note = f"Brief: “{excerpt(brief)}”."
        seeds: list[IdeaSeed] = []
        for dataset in datasets[:2]:
            seeds += [
                self._scaling_knn(dataset, note),
                self._model_shootout(dataset, note),
                self._scale_invariant_forest(dataset, note),
                self._label_noise(dataset, note),
            ]
        first = datasets[0]
        seeds += [
            self._duplicate(first, note),
            self._too_expensive(note),
            self._not_falsifiable(first, note),
            self._infeasible(note),
            self._low_value(note),
        ]
        return order_for_brief(seeds, brief, rng)

    def _idea(self, idea_id: str, dataset: str, **fields: Any) -> IdeaSeed:
        fields.setdefault("cost_cpu_seconds", COST.get(dataset, 2.0))
        fields.setdefault("direction", "higher")
        fields.setdefault("secondary_metrics", ("macro_f1",))
        fields.setdefault("parameters", {"dataset": dataset})
        return IdeaSeed(id=f"cc-{idea_id}-{dataset}".replace("_", "-"), kit=self.name, **fields)

    def _scaling_knn(self, dataset: str, note: str) -> IdeaSeed:
        return self._idea(
            "scaling-knn",
            dataset,
            title=f"Standardising features before k-NN on {dataset}",
            hypothesis=f"k-NN (k=5) is more accurate on {dataset} after standardisation.",
            rationale=f"{note} k-NN distances are dominated by large-scale features.",
            conditions=conditions(
                {"knn-raw": {"model": "knn"}, "knn-scaled": {"model": "knn", "scale": True}}
            ),
            baseline="knn-raw",
            primary_metric="accuracy",
            min_effect=0.01,
            tags=("preprocessing", "knn", dataset),
            novelty_hint=0.35,
        )

    def _model_shootout(self, dataset: str, note: str) -> IdeaSeed:
        arms: dict[str, dict[str, Any]] = {
            "logreg-scaled": {"model": "logreg", "scale": True},
            "random-forest": {"model": "random_forest"},
            "knn-scaled": {"model": "knn", "scale": True},
            "naive-bayes": {"model": "naive_bayes"},
        }
        return self._idea(
            "shootout",
            dataset,
            title=f"Which classifier family wins on {dataset}?",
            hypothesis=(
                f"On {dataset}, random forest, scaled k-NN and naive Bayes differ from scaled "
                "logistic regression in macro-F1."
            ),
            rationale=f"{note} A standard model comparison with a strong linear baseline.",
            conditions=conditions(arms),
            baseline="logreg-scaled",
            primary_metric="macro_f1",
            secondary_metrics=("accuracy",),
            min_effect=0.01,
            cost_cpu_seconds=COST.get(dataset, 2.0) + 0.3,
            tags=("model-comparison", dataset),
            novelty_hint=0.3,
        )

    def _scale_invariant_forest(self, dataset: str, note: str) -> IdeaSeed:
        return self._idea(
            "forest-scaling",
            dataset,
            title=f"Does standardisation change a random forest on {dataset}?",
            hypothesis=f"Standardising features leaves random-forest accuracy on {dataset} "
            "unchanged (tree splits are invariant to monotone rescaling).",
            rationale=f"{note} A negative control: a preprocessing step that should not matter.",
            conditions=conditions(
                {
                    "forest-raw": {"model": "random_forest"},
                    "forest-scaled": {"model": "random_forest", "scale": True},
                }
            ),
            baseline="forest-raw",
            primary_metric="accuracy",
            min_effect=0.01,
            tags=("negative-control", "preprocessing", dataset),
            novelty_hint=0.2,
        )

    def _label_noise(self, dataset: str, note: str) -> IdeaSeed:
        arms = {
            "knn1-clean": {"model": "knn", "k": 1, "scale": True},
            "knn1-noisy": {"model": "knn", "k": 1, "scale": True, "label_noise": 0.2},
            "knn15-noisy": {"model": "knn", "k": 15, "scale": True, "label_noise": 0.2},
        }
        return self._idea(
            "label-noise",
            dataset,
            title=f"Label noise and neighbourhood size on {dataset}",
            hypothesis=f"20% training-label noise costs 1-NN accuracy on {dataset}; "
            "a 15-NN vote recovers most of the loss.",
            rationale=f"{note} Larger neighbourhoods average out flipped labels.",
            conditions=conditions(arms),
            baseline="knn1-clean",
            primary_metric="accuracy",
            min_effect=0.02,
            tags=("robustness", "label-noise", dataset),
            novelty_hint=0.5,
        )

    def _duplicate(self, dataset: str, note: str) -> IdeaSeed:
        original = self._scaling_knn(dataset, note)
        return original.model_copy(
            update={
                "id": f"{original.id}-restated",
                "title": f"Feature scaling improves nearest-neighbour accuracy on {dataset}",
                "flags": (
                    IdeaFlag(
                        reason="duplicate_of",
                        detail="same conditions, dataset and metric as the original",
                        ref=original.id,
                    ),
                ),
            }
        )

    def _too_expensive(self, note: str) -> IdeaSeed:
        return self._idea(
            "big-forest-grid",
            "digits",
            title="300-tree forests under 50× repeated 10-fold CV on digits",
            hypothesis="Random forests with 300 trees beat scaled logistic regression on digits.",
            rationale=f"{note} Tight intervals from 500 fits per run.",
            conditions=conditions(
                {
                    "logreg-scaled": {"model": "logreg", "scale": True},
                    "forest-300": {"model": "random_forest", "trees": 300},
                }
            ),
            parameters={"dataset": "digits", "folds": 10, "repeats": 50},
            baseline="logreg-scaled",
            primary_metric="accuracy",
            cost_cpu_seconds=360.0,
            tags=("model-comparison", "digits"),
            flags=(
                IdeaFlag(
                    reason="too_expensive",
                    detail="about 360 CPU-s per run, 1 CPU-hour for 2 conditions × 5 seeds",
                ),
            ),
        )

    def _not_falsifiable(self, dataset: str, note: str) -> IdeaSeed:
        return self._idea(
            "intuition",
            dataset,
            title=f"Classifiers capture the essence of {dataset}",
            hypothesis="A good classifier understands the data in some sense.",
            rationale=f"{note} Restates the goal without a comparison or a threshold.",
            conditions=conditions({"logreg-scaled": {"model": "logreg", "scale": True}}),
            baseline="logreg-scaled",
            primary_metric="accuracy",
            tags=("vague",),
            novelty_hint=0.1,
            flags=(
                IdeaFlag(
                    reason="not_falsifiable",
                    detail="one condition and no threshold: no outcome could refute it",
                ),
            ),
        )

    def _infeasible(self, note: str) -> IdeaSeed:
        return self._idea(
            "imagenet",
            "imagenet",
            title="Random forest vs logistic regression on ImageNet",
            hypothesis="Random forests trail logistic regression on ImageNet pixels.",
            rationale=f"{note} A large-scale version of the comparison.",
            conditions=conditions(
                {"logreg": {"model": "logreg"}, "random-forest": {"model": "random_forest"}}
            ),
            baseline="logreg",
            primary_metric="accuracy",
            cost_cpu_seconds=7200.0,
            tags=("model-comparison", "large-scale"),
            flags=(
                IdeaFlag(
                    reason="infeasible",
                    detail="ImageNet is not bundled and runs have no network to download it",
                ),
            ),
        )

    def _low_value(self, note: str) -> IdeaSeed:
        return self._idea(
            "k5-vs-k6",
            "iris",
            title="k=5 versus k=6 neighbours on iris",
            hypothesis="6-NN is more accurate than 5-NN on iris.",
            rationale=f"{note} A one-step change of one hyper-parameter on an easy dataset.",
            conditions=conditions(
                {
                    "knn5": {"model": "knn", "k": 5, "scale": True},
                    "knn6": {"model": "knn", "k": 6, "scale": True},
                }
            ),
            baseline="knn5",
            primary_metric="accuracy",
            tags=("hyper-parameter", "iris"),
            novelty_hint=0.05,
            flags=(
                IdeaFlag(
                    reason="low_value",
                    detail="iris accuracy is near ceiling; any difference is below what matters",
                ),
            ),
        )
