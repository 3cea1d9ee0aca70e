"""``towngrid-topics``: the deployment's one-shot topic job."""

from towngrid_contracts.catalogue import TOPICS
from towngrid_kafka_admin.topics_cli import all_topics


def test_topic_job_covers_every_topic_and_its_dlq() -> None:
    names = set(all_topics())
    assert set(TOPICS) <= names
    assert {f"{t}.dlq" for t in TOPICS} <= names
    assert len(names) == 2 * len(set(TOPICS))
