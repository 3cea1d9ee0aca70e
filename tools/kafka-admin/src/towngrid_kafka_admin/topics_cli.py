"""``towngrid-topics``: create every topic of the catalogue and its dead-letter twin.

The deployment's one-shot topic job runs it before the services start, so each topic gets
the partition count the operator chose (enough for the worker replicas a county runs).
"""

from __future__ import annotations

import asyncio

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from towngrid_contracts.catalogue import TOPICS
from towngrid_contracts.topics import dlq_topic
from towngrid_kit.kafka_security import KafkaClientSettings
from towngrid_kit.kafka_topics import ensure_topics
from towngrid_kit.settings import load_settings


class TopicSettings(KafkaClientSettings, BaseSettings):
    """TOWNGRID_KAFKA_BOOTSTRAP, TOWNGRID_KAFKA_USERNAME (an admin or a principal allowed to create), ..."""

    model_config = SettingsConfigDict(env_prefix="TOWNGRID_", extra="ignore")

    kafka_bootstrap: str = Field(min_length=1)
    topic_partitions: int = Field(default=12, ge=1, le=1000)
    topic_replication: int = Field(default=1, ge=1, le=10)


def all_topics() -> list[str]:
    return sorted({name for topic in TOPICS for name in (topic, dlq_topic(topic))})


def main() -> None:
    settings = load_settings(TopicSettings)
    created = asyncio.run(
        ensure_topics(settings.kafka_bootstrap, all_topics(), settings.topic_partitions, settings.topic_replication,
                      options=settings.kafka_options())
    )
    print(f"{len(all_topics())} topics present; created now: {', '.join(created) or 'none'}")
