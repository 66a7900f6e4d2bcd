"""bench/nlp_costs.py on a few AEB pages: every component is timed and the shares add up."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(REPO))

from bench import nlp_costs  # noqa: E402
from tasks.nlp import load_nlp  # noqa: E402


def test_every_component_is_timed_and_the_rest_is_the_extractors(corpus, capsys):
    nlp_costs.main(["--pages", "3"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    components = {line["component"]: line for line in lines[:-1]}
    assert list(components) == ["tokenizer", *load_nlp().pipe_names]
    assert components["parser"]["cpu_seconds"] > 0 and components["ner"]["cpu_seconds"] > 0
    assert abs(sum(line["share"] for line in components.values()) - 1) < 0.01
    summary = lines[-1]
    assert summary["articles"] == 3
    assert summary["spacy_per_article"] > 0 and summary["parse_per_article"] > 0
