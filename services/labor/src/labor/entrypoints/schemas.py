"""The labor api's request bodies (unknown fields are refused) and response views."""

from __future__ import annotations

from dataclasses import is_dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from towngrid_contracts.labor.resumption import IssueCategory

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]
Id = Annotated[str, Field(min_length=1, max_length=100)]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="A lower-case code, e.g. welding.")]
Province = Annotated[str, Field(pattern=r"^CN-[A-Z]{2}$", description="ISO 3166-2:CN code, e.g. CN-GD.")]
CityCode = Annotated[str, Field(pattern=r"^\d{6}$", description="GB/T 2260 code, e.g. 441900 (东莞市).")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterEmployer(_Body):
    name: Text = Field(description="The enterprise's name (kept in labor only, never in an event).")
    province: Province
    city_code: CityCode


class PostDemand(_Body):
    enterprise_id: Id
    title: Text = Field(description="The position, e.g. 流水线操作工.")
    job_category: Code
    skills: list[Code] = Field(default_factory=list, max_length=20)
    headcount: int = Field(ge=1, le=10_000)
    wage_min_cents: int = Field(ge=0, le=100_000_000, description="Monthly wage, lower bound, in cents.")
    wage_max_cents: int = Field(ge=0, le=100_000_000)
    start_date: date
    province: Province | None = Field(default=None, description="Where the work is; default: the employer's.")
    city_code: CityCode | None = None
    health_certificate_required: bool = True


class RegisterJobSeeker(_Body):
    resident_id: Id = Field(description="The registry's opaque resident id.")
    opt_in: Literal[True] = Field(description="The resident agreed to register (must be true).")
    skills: list[Code] = Field(min_length=1, max_length=20)
    preferred_provinces: list[Province] = Field(default_factory=list, max_length=8,
                                                description="Empty means anywhere.")


class ConfirmMatch(_Body):
    job_seeker_id: Id
    placement: Literal["local", "batch"]


class ScheduleBatch(_Body):
    demand_id: Id
    departure_at: AwareDatetime
    vehicle_pass_id: Id = Field(description="permit_id of a valid vehicle pass (from the permits service).")
    seats: int = Field(ge=1, le=200)


class AddWorker(_Body):
    job_seeker_id: Id


class Board(_Body):
    resident_id: Id


class Dispatch(_Body):
    escort_staff_id: Id | None = Field(default=None, description="Opaque staff id of the escort, if any.")


class Arrival(_Body):
    arrived_worker_count: int = Field(ge=0, le=200)


class OpenCase(_Body):
    enterprise_id: Id
    officer_id: Id = Field(description="Opaque staff id of the dedicated officer.")


class RaiseProblem(_Body):
    kind: IssueCategory
    description: LongText
    deadline: AwareDatetime


class RecordAction(_Body):
    description: LongText


class Resolve(_Body):
    resolution: LongText


class Resume(_Body):
    workers_on_site: int = Field(ge=0, le=1_000_000)


def view(obj: Any, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    """A domain object as JSON-ready data (its events are not part of it)."""
    if is_dataclass(obj):
        data = TypeAdapter(type(obj)).dump_python(obj, mode="json", exclude={"pending"})
    else:
        data = TypeAdapter(dict[str, Any]).dump_python(dict(obj), mode="json")
    return data | TypeAdapter(dict[str, Any]).dump_python(extra, mode="json")


def stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
