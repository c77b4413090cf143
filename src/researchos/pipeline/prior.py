"""What has been tried before: failure traces of every ARA and retracted landscape entries.

S1 of the funnel rejects ideas too similar to a recorded dead end (TF-IDF cosine over titles,
hypotheses and lessons), and names the trace it matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from researchos.errors import InputError
from researchos.files import load_yaml

SIMILARITY_THRESHOLD = 0.6


@dataclass(frozen=True)
class PriorFailure:
    ref: str
    text: str


def prior_failures(app, *, exclude_ara: str | None = None) -> list[PriorFailure]:
    found: list[PriorFailure] = []
    for manifest in app.aras.all():
        if manifest.slug == exclude_ara:
            continue
        for trace in app.aras.traces(manifest.slug, kind="failure"):
            text = " ".join(
                filter(
                    None,
                    (trace.title, trace.tried, trace.hypothesis, trace.why_failed, trace.lesson),
                )
            )
            found.append(PriorFailure(f"ara/{manifest.slug} {trace.id}", text))
    retracted = app.workspace.landscape_dir / "retracted"
    for path in sorted(retracted.glob("*.yaml")) if retracted.is_dir() else []:
        try:
            data = load_yaml(path)
        except InputError:
            continue
        if isinstance(data, dict) and data.get("statement"):
            found.append(
                PriorFailure(f"research-landscape/retracted/{path.name}", str(data["statement"]))
            )
    return found


def most_similar(
    texts: list[str], prior: list[PriorFailure]
) -> list[tuple[PriorFailure, float] | None]:
    """For each text, the most similar prior failure above the threshold (or None)."""
    if not prior or not texts:
        return [None] * len(texts)
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(texts + [p.text for p in prior])
    except ValueError:
        return [None] * len(texts)
    similarity = (matrix[: len(texts)] @ matrix[len(texts) :].T).toarray()
    out: list[tuple[PriorFailure, float] | None] = []
    for row in similarity:
        best = int(row.argmax())
        out.append((prior[best], float(row[best])) if row[best] >= SIMILARITY_THRESHOLD else None)
    return out
