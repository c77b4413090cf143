"""Agent-run matrices: repeated headless agent runs on fixture repos, measured and compared.

``MatrixService.run(experiment)`` runs every cell (fixture × condition × agent × repeat) in a
sandbox, scores it (success, protocol compliance, clean pass, churn, forbidden edits), and
writes a report with figures and, when asked, claims in an ARA. See docs/matrix.md.
"""
