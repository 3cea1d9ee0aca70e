"""What each permit type asks for: the bodies of applications at a counter and online."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from permits.entrypoints.inputs import PLATE_RE, Body, MerchantId, ResidentId, Text


# ----- what each permit type asks for -------------------------------------------------

class OpeningChecklist(Body):
    """The opening standard; every item must be met before a business reopening is approved."""

    staff_health_certificates: bool = False
    disinfection: bool = False
    temperature_checks: bool = False
    buyer_ledger: bool = False


class _HealthCertificate(Body):
    permit_type: Literal["health_certificate"]
    holder_resident_id: ResidentId
    purpose: Literal["work", "shop_service", "labour_batch"]
    employer: Text | None = None
    valid_until: AwareDatetime | None = Field(default=None, description="Defaults to the configured validity.")


class _VehiclePass(Body):
    permit_type: Literal["vehicle_pass"]
    holder_resident_id: ResidentId
    plate_number: str = Field(description="Mainland plate, e.g. 豫Q12345 (kept in this service only).")
    vehicle_type: Literal["car", "van", "truck", "bus", "motorcycle", "tractor", "other"]
    purpose: Text
    route: Text = Field(description="Route or area the pass covers.")
    valid_until: AwareDatetime

    @field_validator("plate_number")
    @classmethod
    def _plate(cls, value: str) -> str:
        value = value.replace(" ", "").replace("·", "").upper()
        if not PLATE_RE.match(value):
            raise ValueError("plate_number is not a mainland plate number (e.g. 豫Q12345)")
        return value


class _BusinessReopening(Body):
    permit_type: Literal["business_reopening"]
    merchant_id: MerchantId
    business_kind: Literal["shop", "supermarket", "market"]
    premises: Text = Field(description="Where the business is (kept in this service only).")
    checklist: OpeningChecklist = Field(default_factory=OpeningChecklist)
    valid_until: AwareDatetime | None = None


class _AtCounter(Body):
    channel: Literal["town_hall_window", "community_service_point"]
    service_point_id: Text = Field(description="Which window (W1..) or community service point (SP-<community_id>, e.g. SP-C03).")
    compound_id: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        default=None, description="A merchant's compound (as in the registry's grid): who may see the "
                                  "application. Without it, a service point's community (SP-<community>); at a "
                                  "town hall window, town staff only. A resident's application lies in the "
                                  "holder's own compound: if given, it must be that one.")


class _Online(Body):
    qr_code: str = Field(min_length=1, max_length=500, description="The signed code of the checkpoint's QR poster.")
    holder_key: str = Field(min_length=16, max_length=40, description=(
        "The holder key on the holder's registration slip (the registry's, e.g. 7K2M-Q9XD-4RTB-8NWC-3HJF): proves "
        "that the applicant is the holder or their guardian. Without the right key, 422 naming this field."))


class CounterHealthCertificate(_AtCounter, _HealthCertificate): ...
class CounterVehiclePass(_AtCounter, _VehiclePass): ...
class CounterBusinessReopening(_AtCounter, _BusinessReopening): ...
class OnlineHealthCertificate(_Online, _HealthCertificate): ...
class OnlineVehiclePass(_Online, _VehiclePass): ...


CounterApplication = Annotated[
    Union[CounterHealthCertificate, CounterVehiclePass, CounterBusinessReopening], Field(discriminator="permit_type")]
# Online: a resident's own permits only (a business reopening is applied for at a window or service point).
OnlineApplication = Annotated[Union[OnlineHealthCertificate, OnlineVehiclePass], Field(discriminator="permit_type")]

_COMMON = {"permit_type", "holder_resident_id", "merchant_id", "channel", "service_point_id", "qr_code", "valid_until",
           "compound_id", "holder_key"}  # holder_key: checked, never stored


def details_of(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(mode="python", exclude=_COMMON)


# ----- review, revocation, verification, policies ---------------------------------------
