"""Experiment programs the built-in kits copy into an ARA's code/src/.

They are standalone scripts (stdlib + numpy/scipy/scikit-learn), read as text by
researchos.kits.program and never imported by ResearchOS, except ``contract`` whose parameter
checks ResearchOS reuses at spec time.
"""
