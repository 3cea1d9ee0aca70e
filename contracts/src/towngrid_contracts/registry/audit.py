"""Audit events of the registry: who read whose personal data unmasked, which items, and why.

Keyed by ``resident_id`` on ``registry.audit.v1`` (the person whose data was read), so one
person's reads stay in order. They name the items read, never their values: a national ID
number, a mobile number or an address never leaves the registry, not even here. The free-text
note a reader gives with the purpose stays in the registry too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id
from towngrid_contracts.topics import topic_name

AUDIT_TOPIC = topic_name("registry", "audit")

PersonalItem = Literal["national_id", "mobile", "address"]


class PersonalDataRead(EventData, topic=AUDIT_TOPIC, event_type="registry.audit.personal_data_read"):
    """A member of staff read some of a resident's personal data unmasked, stating a purpose."""

    resident_id: Id = Field(description="Opaque id of the person whose data was read (the key).")
    read_id: Id = Field(description="Opaque id of this read.")
    read_by: Id = Field(description="The reader's token subject (an opaque staff id).")
    reader_role: Id = Field(description="The reader's role, e.g. town_admin.")
    reader_scope: Id = Field(description="The reader's grid scope: town, community:<id>, compound:<id>.")
    items: list[PersonalItem] = Field(min_length=1, description="Which items were shown unmasked (never their values).")
    purpose: str = Field(pattern=r"^[a-z][a-z_]{0,39}$", description="The stated purpose, from the registry's list.")
    read_at: AwareDatetime
    earlier: bool | None = Field(default=None, description="True when the values that re-registrations replaced "
                                                           "were shown too (of the items read, and earlier names).")
