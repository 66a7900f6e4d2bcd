"""Evaluation scripts; run them with `python -m bench.<script>` from the repo root."""
