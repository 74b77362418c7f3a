"""Building the site: the one ordered pipeline (load, check, render), the MkDocs plugin and
build loop, the cache, the worker pool, progress, search index and the PDF handouts."""
