"""``towngrid-kafka-access``: create the Kafka SCRAM users and set every principal's ACLs.

The deployment's one-shot job runs it after the broker starts and before the topics job and
the services: it logs in as the super user on the controller listener (SASL PLAIN, which a
KRaft controller can check without its metadata log), creates or updates the SCRAM users
(the admin, each service, the county subscriber), then makes their ACLs exactly those
derived from the code (missing created, stale deleted) (``kafka_access.json``). Running it again is harmless: rotate a
password by changing it and re-running the job (then restart that principal's processes).
"""

from __future__ import annotations

import sys
import time

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from towngrid_kafka_admin.access import committed, provision
from towngrid_kafka_admin.wire import KafkaWire, KafkaWireError
from towngrid_kit.settings import load_settings


class AccessSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOWNGRID_", extra="ignore")

    kafka_controller: str = Field(min_length=3, description="host:port of the controller listener (SASL PLAIN).")
    kafka_admin_user: str = Field(default="admin", min_length=1, description="The super user (super.users).")
    kafka_admin_password: SecretStr = Field(description="Its password (the controller's PLAIN JAAS user).")
    kafka_user_passwords: dict[str, SecretStr] = Field(
        description='JSON {"registry": "...", "permits": "...", ..., "county": "..."}: a password for every '
                    "principal of kafka_access.json.")
    kafka_sasl_mechanism: str = Field(default="SCRAM-SHA-512", pattern="^SCRAM-SHA-(256|512)$")
    wait_s: float = Field(default=120.0, gt=0, description="How long to wait for the controller to answer.")


def main() -> None:
    settings = load_settings(AccessSettings)
    accesses = committed()
    missing = sorted({a.principal for a in accesses} - set(settings.kafka_user_passwords))
    if missing:
        print(f"TOWNGRID_KAFKA_USER_PASSWORDS lacks a password for: {', '.join(missing)}", file=sys.stderr)
        raise SystemExit(2)
    users = {name: secret.get_secret_value() for name, secret in settings.kafka_user_passwords.items()}
    users[settings.kafka_admin_user] = settings.kafka_admin_password.get_secret_value()
    host, _, port = settings.kafka_controller.rpartition(":")
    deadline = time.monotonic() + settings.wait_s
    while True:
        try:
            with KafkaWire(host, int(port), timeout=10) as wire:
                wire.authenticate("PLAIN", settings.kafka_admin_user, settings.kafka_admin_password.get_secret_value())
                count = provision(wire, users, accesses, settings.kafka_sasl_mechanism)
            break
        except KafkaWireError as error:  # refused: wrong password, not a super user, ...
            print(f"Kafka refused: {error}", file=sys.stderr)
            raise SystemExit(1) from None
        except OSError as error:  # not up yet
            if time.monotonic() > deadline:
                print(f"the Kafka controller {settings.kafka_controller} did not answer: {error}", file=sys.stderr)
                raise SystemExit(1) from None
            time.sleep(2)
    print(f"Kafka users {', '.join(sorted(users))}: set; {count} ACLs for {', '.join(a.principal for a in accesses)}")


if __name__ == "__main__":
    main()
