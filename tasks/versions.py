"""The versions stamped on every stored article: bump one when its stage's output changes, and
`newsflow reprocess` re-derives the articles made by an older one.

They live here, not beside the stages they version (tasks/extract.py, tasks/parse.py), so that
the ingest process can stamp its loads without importing spaCy and trafilatura: only its worker
processes parse and extract, and the two libraries cost it about 120 MB and a second of start-up.
"""

EXTRACTOR_VERSION = "2026.11.28-2"
PARSER_VERSION = "2026.1"
