"""How a process logs in to Kafka: the settings every Kafka client of the kit shares.

The local stack and the compose deployment run Kafka with SASL/SCRAM and ACLs: each service
logs in as its own principal (``<SVC>_KAFKA_USERNAME`` / ``_PASSWORD``), which may write only
its own topics (see ``kafka_access``). ``PLAINTEXT`` (the default) is for a broker without
authentication.
"""

from __future__ import annotations

import ssl
from typing import Any, Literal

from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]
_FASTSTREAM = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}


class KafkaClientSettings(BaseSettings):
    """Mixed into a settings class: the Kafka login fields and the client options they give."""

    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", description="PLAINTEXT (no login), SASL_PLAINTEXT or SASL_SSL.")
    kafka_sasl_mechanism: SaslMechanism = Field(default="SCRAM-SHA-512", description="With SASL_*.")
    kafka_username: str = Field(default="", description="The Kafka principal (SASL user name), with SASL_*.")
    kafka_password: SecretStr | None = Field(default=None, description="Its password, with SASL_*.")

    @model_validator(mode="after")
    def _login_complete(self) -> "KafkaClientSettings":
        if self.kafka_security_protocol.startswith("SASL_") and not (self.kafka_username and self.kafka_password):
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_USERNAME and "
                             "KAFKA_PASSWORD")
        return self

    def kafka_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer, admin and client."""
        return kafka_options(self.kafka_security_protocol, self.kafka_sasl_mechanism, self.kafka_username,
                             self.kafka_password.get_secret_value() if self.kafka_password else "")

    def faststream_security(self) -> BaseSecurity | None:
        """FastStream's ``security=`` for the broker (None: plaintext without login)."""
        if self.kafka_security_protocol == "PLAINTEXT":
            return None
        use_ssl = self.kafka_security_protocol == "SASL_SSL"
        return _FASTSTREAM[self.kafka_sasl_mechanism](
            username=self.kafka_username, password=self.kafka_password.get_secret_value() if self.kafka_password else "",
            ssl_context=ssl.create_default_context() if use_ssl else None)


def kafka_options(protocol: str, mechanism: str = "SCRAM-SHA-512", username: str = "", password: str = "") -> dict[str, Any]:
    """aiokafka keyword arguments for a login (nothing for PLAINTEXT)."""
    if protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": protocol, "sasl_mechanism": mechanism,
                               "sasl_plain_username": username, "sasl_plain_password": password}
    if protocol == "SASL_SSL":
        options["ssl_context"] = ssl.create_default_context()
    return options
