"""Classifier comparison: stratified k-fold accuracy and macro-F1 on a bundled dataset.

Built by the ResearchOS kit ``classifier-comparison``. Deterministic given the seed: the seed
drives the (repeated) fold split, the label noise and every model's random state. Writes
``metrics.jsonl`` and ``folds.csv`` (one row per fold) into RESEARCHOS_OUTPUT_DIR.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # the code dir may be read-only: write only to the output dir

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import contract  # noqa: E402

HERE = Path(__file__).resolve().parent


def load_dataset(name: str) -> tuple[Any, Any]:
    from sklearn import datasets

    loaders = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "digits": datasets.load_digits,
    }
    return loaders[name](return_X_y=True)


def make_model(params: dict[str, Any], seed: int) -> Any:
    """The classifier for ``params``; imports only its own module (sklearn imports are slow)."""
    kind = params["model"]
    if kind == "logreg":
        from sklearn.linear_model import LogisticRegression

        model: Any = LogisticRegression(C=params["C"], max_iter=params["max_iter"])
    elif kind == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        model = RandomForestClassifier(n_estimators=params["trees"], random_state=seed, n_jobs=1)
    elif kind == "knn":
        from sklearn.neighbors import KNeighborsClassifier

        model = KNeighborsClassifier(n_neighbors=params["k"])
    elif kind == "decision_tree":
        from sklearn.tree import DecisionTreeClassifier

        model = DecisionTreeClassifier(random_state=seed)
    else:
        from sklearn.naive_bayes import GaussianNB

        model = GaussianNB()
    if not params["scale"]:
        return model
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), model)


def flip_labels(y: Any, fraction: float, rng: Any) -> Any:
    """Replace ``fraction`` of the training labels with a different, random class."""
    y = y.copy()
    if fraction <= 0:
        return y
    classes = sorted(set(y.tolist()))
    chosen = rng.choice(len(y), size=round(fraction * len(y)), replace=False)
    for index in chosen:
        others = [c for c in classes if c != y[index]]
        y[index] = others[int(rng.integers(len(others)))]
    return y


def experiment(run: contract.Run) -> dict[str, float]:
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import RepeatedStratifiedKFold

    warnings.simplefilter("ignore", ConvergenceWarning)
    params, seed = run.params, run.seed
    x, y = load_dataset(params["dataset"])
    rng = np.random.default_rng(seed)
    folds = RepeatedStratifiedKFold(
        n_splits=params["folds"], n_repeats=params["repeats"], random_state=seed
    )
    rows, accuracy, macro_f1 = [], [], []
    for fold, (train, test) in enumerate(folds.split(x, y)):
        model = make_model(params, seed)
        model.fit(x[train], flip_labels(y[train], params["label_noise"], rng))
        predicted = model.predict(x[test])
        accuracy.append(float(accuracy_score(y[test], predicted)))
        macro_f1.append(float(f1_score(y[test], predicted, average="macro")))
        rows.append([fold, len(train), len(test), accuracy[-1], macro_f1[-1]])
    contract.write_csv(
        run, "folds.csv", ["fold", "n_train", "n_test", "accuracy", "macro_f1"], rows
    )
    return {
        "accuracy": float(np.mean(accuracy)),
        "macro_f1": float(np.mean(macro_f1)),
        "accuracy_fold_sd": float(np.std(accuracy, ddof=1)),
    }


if __name__ == "__main__":
    sys.exit(contract.main(experiment, HERE))
