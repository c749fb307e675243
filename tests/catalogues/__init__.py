"""Evaluation catalogues in other styles than the shared kit, with held-out queries.

They exist so search quality can be measured on catalogues the search was not tuned on: the
same listings as another merchant would write them, the shared listings with fresh queries, and
a small catalogue outside fashion. Each kit has the shared kit's file format.
"""
