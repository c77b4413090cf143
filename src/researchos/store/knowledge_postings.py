"""PostgreSQL full text: an inverted index scored with BM25 (revision 0009_knowledge_pg_index).

``knowledge_terms`` holds one posting per (lexeme, page): the page's weighted term frequency
(title 3, keywords 2, body 1, as FTS5's bm25 weights on SQLite) and its length, all inside the
primary key, so a query reads only the B-tree leaves of its own lexemes. ``knowledge_lexemes``
counts pages per lexeme; ``knowledge_state`` keeps the page count and total length. The
postings are derived in SQL from ``knowledge_fts.search`` (the forward index), so
stemming stays PostgreSQL's ``english`` configuration.

Scoring is exact BM25 (k1 1.2, b 0.75, FTS5's idf) under the common-word rule of
knowledge_search: candidates are the pages holding a rare query lexeme (or every lexeme when
all are common) and the common lexemes add their share to the candidates' scores. Only
candidates that could still reach the top ``limit`` get that share: a candidate whose rare score
plus the largest possible common share (idf × (k1 + 1) per lexeme) stays below the
``limit``-th rare score cannot make it (the MaxScore bound), so results are the same as scoring
every candidate in full.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

K1 = 1.2
B = 0.75
_FORWARD = "FROM knowledge_fts f, unnest(f.search) AS u WHERE f.seq = ANY(:seqs)"
# weighted term frequency: every position counts 1, plus 2 more in the title (A) and 1 more in
# the keywords (B): FTS5's column weights 3, 2, 1
TF = (
    "greatest(cardinality(u.weights) + 2 * cardinality(array_positions(u.weights, 'A')) "
    "+ cardinality(array_positions(u.weights, 'B')), 1)::real"
)
PRIMARY_KEY = "PRIMARY KEY (lexeme, seq) INCLUDE (tf, dl)"
_ADD_TERMS = (
    "INSERT INTO knowledge_terms (lexeme, seq, tf, dl) "
    "SELECT t.lexeme, t.seq, t.tf, sum(t.n) OVER (PARTITION BY t.seq) FROM ("
    f"SELECT f.seq, u.lexeme, greatest(cardinality(u.positions), 1) AS n, {TF} AS tf "
    f"{_FORWARD}) AS t"
)
# sorted, so concurrent writers lock lexeme rows in the same order (no deadlock)
_COUNT_LEXEMES = (
    "INSERT INTO knowledge_lexemes (lexeme, df) "
    f"SELECT u.lexeme, :sign * count(*) {_FORWARD} GROUP BY u.lexeme ORDER BY u.lexeme "
    "ON CONFLICT (lexeme) DO UPDATE SET df = knowledge_lexemes.df + EXCLUDED.df"
)
_COUNT_PAGES = (
    "UPDATE knowledge_state SET value = value + :sign * CASE key "
    "WHEN 'text_pages' THEN (SELECT count(*) FROM knowledge_fts f WHERE f.seq = ANY(:seqs)) "
    f"ELSE (SELECT coalesce(sum(greatest(cardinality(u.positions), 1)), 0) {_FORWARD}) END "
    "WHERE key IN ('text_pages', 'text_tokens')"
)
_DROP_TERMS = (
    f"DELETE FROM knowledge_terms k USING (SELECT f.seq, u.lexeme {_FORWARD}) AS d "
    "WHERE k.lexeme = d.lexeme AND k.seq = d.seq"
)
_DROP_LEXEMES = (
    f"DELETE FROM knowledge_lexemes l USING (SELECT DISTINCT u.lexeme {_FORWARD}) AS d "
    "WHERE l.lexeme = d.lexeme AND l.df <= 0"
)


def add_postings(session: Session, *, seqs: Sequence[int], count: bool = True) -> None:
    """Index pages whose ``knowledge_fts`` rows were just written (``count=False`` during a
    bulk load: ``end_bulk_load`` makes the counts once)."""
    params = {"seqs": list(seqs), "sign": 1}
    for statement in (_ADD_TERMS, _COUNT_LEXEMES, _COUNT_PAGES) if count else (_ADD_TERMS,):
        session.execute(text(statement), params)


def remove_postings(session: Session, *, seqs: Sequence[int]) -> None:
    """Unindex pages; call before their ``knowledge_fts`` rows are deleted."""
    params = {"seqs": list(seqs), "sign": -1}
    for statement in (_DROP_TERMS, _COUNT_LEXEMES, _DROP_LEXEMES, _COUNT_PAGES):
        session.execute(text(statement), params)


def clear_postings(session: Session) -> None:
    """Empty the index before a bulk load; its B-tree goes until ``end_bulk_load`` (building
    it once from sorted postings is several times faster than growing it row by row)."""
    session.execute(text("TRUNCATE knowledge_terms, knowledge_lexemes"))
    session.execute(
        text("ALTER TABLE knowledge_terms DROP CONSTRAINT IF EXISTS knowledge_terms_pkey")
    )
    session.execute(
        text("UPDATE knowledge_state SET value = 0 WHERE key IN ('text_pages', 'text_tokens')")
    )


_RECOUNT = (
    "TRUNCATE knowledge_lexemes",
    "INSERT INTO knowledge_lexemes (lexeme, df) "
    "SELECT lexeme, count(*) FROM knowledge_terms GROUP BY lexeme",
    "UPDATE knowledge_state SET value = CASE key "
    "WHEN 'text_pages' THEN (SELECT count(*) FROM knowledge_fts) "
    "ELSE (SELECT coalesce(sum(greatest(cardinality(u.positions), 1)), 0) "
    "FROM knowledge_fts f, unnest(f.search) AS u) END "
    "WHERE key IN ('text_pages', 'text_tokens')",
)


def end_bulk_load(session: Session) -> None:
    """After a bulk load: put the B-tree back (when ``clear_postings`` took it) and count
    pages per lexeme, pages and their length once."""
    present = session.scalar(
        text("SELECT 1 FROM pg_constraint WHERE conname = 'knowledge_terms_pkey'")
    )
    session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    if not present:
        session.execute(text(f"ALTER TABLE knowledge_terms ADD {PRIMARY_KEY}"))
    for statement in _RECOUNT:
        session.execute(text(statement))


# Also turns parallel workers off for the rest of this transaction only (the search
# statement's): on a few shared cores they add start-up time and contention (a merge join of
# two posting lists went from 9 to 35 ms). JIT is off for the whole store (database.py).
_LOOKUP = (
    "SELECT l.lexeme, l.df, s.pages, s.tokens FROM (SELECT DISTINCT lexeme "
    "FROM unnest(to_tsvector('english', :words))) AS t "
    "JOIN knowledge_lexemes l USING (lexeme) CROSS JOIN ("
    "SELECT max(value) FILTER (WHERE key = 'text_pages') AS pages, "
    "max(value) FILTER (WHERE key = 'text_tokens') AS tokens, "
    "set_config('max_parallel_workers_per_gather', '0', true) AS workers "
    "FROM knowledge_state WHERE key IN ('text_pages', 'text_tokens')) AS s "
    "WHERE l.df > 0 ORDER BY l.df, l.lexeme"
)


@dataclass(frozen=True)
class QueryTerm:
    lexeme: str
    df: int
    idf: float
    rare: bool


def query_terms(
    session: Session, *, words: str, common: float, min_pages: int
) -> tuple[list[QueryTerm], float]:
    """The indexed lexemes of ``words`` with their idf and rarity, and the average page length.

    idf is FTS5's: ln((N - df + 0.5) / (df + 0.5)), at least 1e-6.
    """
    rows = session.execute(text(_LOOKUP), {"words": words}).all()
    if not rows:
        return [], 1.0
    pages, tokens = max(int(rows[0][2] or 0), 1), max(int(rows[0][3] or 0), 1)
    terms = [
        QueryTerm(
            lexeme,
            df,
            max(math.log((pages - df + 0.5) / (df + 0.5)), 1e-6),
            pages < min_pages or df <= common * pages,
        )
        for lexeme, df, _, _ in rows
    ]
    return terms, tokens / pages


def _weight(posting: str) -> str:
    """BM25's term-frequency part of one posting (``:avgdl`` is a parameter)."""
    tf, dl = f"{posting}.tf", f"{posting}.dl"
    return f"{tf} * {K1 + 1} / ({tf} + {K1} * ({1 - B} + {B} * {dl}::float8 / :avgdl))"


_KIND = " JOIN knowledge_fts kf ON kf.seq = {seq} AND kf.kind = ANY(CAST(:kinds AS text[]))"
_TERMS = "SELECT * FROM unnest(CAST(:{0}_lex AS text[]), CAST(:{0}_idf AS float8[]))"
# Rare lexemes select and score; the common ones (rest) add their share only where it can
# change the top ``limit`` (MaxScore bound :ub = sum of their idf × (k1 + 1), see module doc).
# Shares come from one index probe per (page, lexeme) when few pages are near the top, or from
# scanning the common posting lists when that reads fewer entries (the one-time filters pick
# one branch at run time; a probe costs about as much as reading PROBE_COST list entries).
PROBE_COST = 10
_SOME_RARE = f"""
WITH sel(lexeme, idf) AS ({_TERMS.format("sel")}),
rest(lexeme, idf) AS ({_TERMS.format("rest")}),
cand AS (
  SELECT k.seq, sum(sel.idf * {_weight("k")}) AS score
  FROM sel JOIN knowledge_terms k ON k.lexeme = sel.lexeme GROUP BY k.seq),
kept AS (SELECT c.seq, c.score FROM cand c{{kind}}),
bar AS (SELECT score FROM kept ORDER BY score DESC OFFSET :limit - 1 LIMIT 1),
near AS MATERIALIZED (
  SELECT seq, score FROM kept WHERE score + :ub >= coalesce((SELECT score FROM bar), 0)),
probes AS (SELECT count(*) * :probe_cost * cardinality(CAST(:rest_lex AS text[]))
           <= :rest_postings AS cheaper FROM near),
scanned AS MATERIALIZED (
  SELECT k.seq, r.idf * {_weight("k")} AS share
  FROM rest r JOIN knowledge_terms k ON k.lexeme = r.lexeme WHERE NOT (SELECT cheaper FROM probes)),
shares AS (
  SELECT n.seq, (
    SELECT sum(r.idf * {_weight("k")})
    FROM rest r JOIN knowledge_terms k ON k.lexeme = r.lexeme AND k.seq = n.seq) AS share
  FROM near n WHERE (SELECT cheaper FROM probes)
  UNION ALL
  SELECT p.seq, sum(p.share) FROM scanned p JOIN near n ON n.seq = p.seq GROUP BY p.seq),
top AS (
  SELECT n.seq, n.score + coalesce(s.share, 0) AS score
  FROM near n LEFT JOIN shares s ON s.seq = n.seq ORDER BY 2 DESC, n.seq LIMIT :limit)
SELECT f.page_id, t.score FROM top t JOIN knowledge_fts f ON f.seq = t.seq
ORDER BY t.score DESC, t.seq
"""


def _all_common(count: int, kinds: bool) -> str:
    """Every lexeme common: pages holding all of them, found by merge-joining the posting
    lists (each is sorted by page) from the rarest up; far cheaper than aggregating them."""
    joins = "".join(
        f" JOIN knowledge_terms k{i} ON k{i}.lexeme = :l{i} AND k{i}.seq = k0.seq"
        for i in range(1, count)
    )
    score = " + ".join(f":i{i} * {_weight(f'k{i}')}" for i in range(count))
    kind = _KIND.format(seq="k0.seq") if kinds else ""
    return (
        f"WITH top AS (SELECT k0.seq, {score} AS score FROM knowledge_terms k0{joins}{kind} "
        "WHERE k0.lexeme = :l0 ORDER BY score DESC, k0.seq LIMIT :limit) "
        "SELECT f.page_id, t.score FROM top t JOIN knowledge_fts f ON f.seq = t.seq "
        "ORDER BY t.score DESC, t.seq"
    )


def statement(
    terms: Sequence[QueryTerm], avgdl: float, *, limit: int, kinds: Sequence[str] | None
) -> tuple[str, dict[str, Any]]:
    """The search statement for ``terms`` (from ``query_terms``) and its parameters."""
    params: dict[str, Any] = {"limit": limit, "avgdl": avgdl}
    if kinds:
        params["kinds"] = list(kinds)
    rare = [t for t in terms if t.rare]
    if not rare:  # terms come rarest first
        for i, term in enumerate(terms):
            params[f"l{i}"], params[f"i{i}"] = term.lexeme, term.idf
        return _all_common(len(terms), bool(kinds)), params
    rest = [t for t in terms if not t.rare]
    for name, group in (("sel", rare), ("rest", rest)):
        params[f"{name}_lex"] = [t.lexeme for t in group]
        params[f"{name}_idf"] = [t.idf for t in group]
    params["ub"] = sum(t.idf for t in rest) * (K1 + 1)
    params["rest_postings"] = sum(t.df for t in rest)
    params["probe_cost"] = PROBE_COST
    return _SOME_RARE.replace("{kind}", _KIND.format(seq="c.seq") if kinds else ""), params


def bm25(
    session: Session,
    *,
    words: str,
    limit: int,
    kinds: Sequence[str] | None,
    common: float,
    min_pages: int,
) -> list[tuple[str, float]]:
    """(page id, BM25 score) best first for plain ``words`` (see the module doc)."""
    terms, avgdl = query_terms(session, words=words, common=common, min_pages=min_pages)
    if not terms:
        return []
    sql, params = statement(terms, avgdl, limit=limit, kinds=kinds)
    return [(row[0], float(row[1])) for row in session.execute(text(sql), params)]


def common_lexemes(session: Session, *, common: float, min_pages: int) -> frozenset[str]:
    """Lexemes in more than ``common`` of the pages (none below ``min_pages`` pages)."""
    rows = session.scalars(
        text(
            "SELECT l.lexeme FROM knowledge_lexemes l, knowledge_state s "
            "WHERE s.key = 'text_pages' AND s.value >= :min_pages "
            "AND l.df > :common * s.value"
        ),
        {"common": common, "min_pages": min_pages},
    ).all()
    return frozenset(rows)
