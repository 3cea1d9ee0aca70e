"""The pieces of the registry's HTTP bodies: a strict body (unknown fields refused, text stripped),
bounded text, a reason code, a free-text note, a person's ID number and mobile (checked, then
normalized; a problem names the field); and a view that shows one domain record field for field."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

from registry.domain.identity import mobile_problem, national_id_problem, normalize_mobile, normalize_national_id

Text = Annotated[str, Field(min_length=1, max_length=200)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RecordView(BaseModel):
    """A view whose fields are those of one domain record (a dataclass), shown as they are."""

    @classmethod
    def of(cls, record: object) -> Self:
        return cls(**vars(record))


ReasonCode = Annotated[str, Field(min_length=1, max_length=60, description=(
    "Why, one of the configured codes (REGISTRY_QUARANTINE_REASONS); an unknown code gets 422 naming them."))]
Note = Annotated[str, Field(min_length=1, max_length=1000, description=(
    "Free text (needed with reason_code other); kept in the registry only, never published."))]


def _national_id(value: str, info: ValidationInfo) -> str:
    if problem := national_id_problem(value):
        raise ValueError(f"{info.field_name} {problem}")
    return normalize_national_id(value)


def _mobile(value: str, info: ValidationInfo) -> str:
    if problem := mobile_problem(value):
        raise ValueError(f"{info.field_name} {problem}")
    return normalize_mobile(value)


NationalId = Annotated[str, AfterValidator(_national_id)]
Mobile = Annotated[str, AfterValidator(_mobile)]
