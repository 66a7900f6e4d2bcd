"""bench/nlp_costs.py on a few AEB pages: every component is timed and the shares add up."""

from __future__ import annotations

import json

from bench import nlp_costs
from tasks.nlp import load_nlp


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
