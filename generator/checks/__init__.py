"""Checking content: the rules a loaded catalog must follow, reviews, readability, and the
invariants of the built HTML. Reports problems; renders nothing."""
