"""A writer process for the lake concurrency tests: loads batches of articles into one lake.

    python -m tests.warehouse.lake_writer LOCATION NAME BATCHES PER_BATCH

Each article (its own URL, under NAME) names the entities `Shared 0` .. `Shared 4` in its text,
as does every article of the other writer, so both writers insert the same new entities at once.
Prints one JSON line when done: the counts the loads reported.
"""

from __future__ import annotations

import json
import sys

from schemas.records import ArticleRecord, EntityMention
from tests.factories import make_article
from warehouse.load import load_batch

SHARED = [f"Shared {i}" for i in range(5)]


def article(name: str, number: int) -> ArticleRecord:
    base = make_article(f"https://{name}.example.org/{number}")
    text = base.text + " " + " ".join(SHARED) + f" {name}-{number}"
    start = len(base.text) + 1
    mentions = []
    for entity in SHARED:
        mentions.append(EntityMention(name=entity, type="ORG", start=start, end=start + 8))
        start += len(entity) + 1
    return base.model_copy(update={"text": text, "entities": (*base.entities, *mentions)})


def main(location: str, name: str, batches: int, per_batch: int) -> None:
    new_articles = 0
    for batch in range(batches):
        records = [article(name, batch * per_batch + i) for i in range(per_batch)]
        new_articles += load_batch(location, records, run_id=f"{name}-{batch}").new_articles
    print(json.dumps({"writer": name, "new_articles": new_articles}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
