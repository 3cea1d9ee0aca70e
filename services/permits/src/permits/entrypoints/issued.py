"""HTTP: revocation, verification (public), the public key, checkpoint QR codes, review policies, figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from towngrid_kit.auth import Principal
from towngrid_kit.errors import InvalidInput
from permits.domain.review import PERMIT_TYPES, ReviewPolicy
from permits.entrypoints.applications import Grid, Permits, view
from permits.entrypoints.scope import checkpoint_place, ensure_sees
from permits.entrypoints.roles import Admin, CHECKPOINT_STAFF, FigureReader, Reader
from permits.entrypoints.schemas import (
    ApplicationView,
    CheckpointQrView,
    PolicyBody,
    PolicyView,
    Revocation,
    VerificationKeyView,
    VerificationView,
    VerifyCode,
)

_optional_bearer = HTTPBearer(auto_error=False, description="Optional: checkpoint staff get the detailed status")
router = APIRouter(tags=["permits"])
public = APIRouter(tags=["verification (public)"])


@router.post("/permits/{permit_id}/revoke", response_model=ApplicationView, summary="Revoke a permit for good (unless an appeal overturns it), with the reason")
async def revoke(permit_id: str, body: Revocation, permits: Permits, principal: Admin) -> ApplicationView:
    ensure_sees(principal, await permits.get(permit_id))
    return view(await permits.revoke(permit_id, body.reason_code, body.note, principal.subject))


async def checkpoint_staff(request: Request,
                           credentials: Annotated[ HTTPAuthorizationCredentials | None, Depends(_optional_bearer)]) -> Principal | None:
    """The caller if they show a valid token of checkpoint staff; None for the public (401 for a bad token)."""
    if credentials is None:
        return None
    try:
        found = request.app.state.token_verifier.verify(credentials.credentials)
    except jwt.PyJWTError as error:
        raise HTTPException(401, f"invalid token: {error}", headers={"WWW-Authenticate": "Bearer"}) from None
    return found if found.role in CHECKPOINT_STAFF else None


@public.post("/verify", response_model=VerificationView,
             summary="Verify a permit's code: public callers get valid / not_valid; checkpoint staff (token) get "
                     "valid / suspended / revoked / expired / not_yet_valid (forged codes get 422)")
async def verify(body: VerifyCode, permits: Permits,
                 staff: Annotated[Principal | None, Depends(checkpoint_staff)]) -> VerificationView:
    found = await permits.verify(body.code)
    p = found.permit
    status = found.status if staff is not None else ("valid" if found.status == "valid" else "not_valid")
    return VerificationView(status=status, detailed=staff is not None, permit_id=p.permit_id,
                            permit_type=p.permit_type, valid_from=p.valid_from, valid_until=p.valid_until)


@public.get("/verification-key", response_model=VerificationKeyView,
            summary="The Ed25519 public key that checkpoints use to verify codes offline (public)")
async def verification_key(permits: Permits) -> VerificationKeyView:
    signer = permits.signer
    return VerificationKeyView(key_id=signer.key_id, public_key_pem=signer.public_pem,
                               public_key_raw_b64url=signer.public_raw_b64)


@router.get("/checkpoints/{checkpoint_id}/qr-code", response_model=CheckpointQrView,
            summary="The signed code to print on a checkpoint's QR poster for online applications")
async def checkpoint_qr(checkpoint_id: str, permits: Permits, grid: Grid, _: Admin ) -> CheckpointQrView:
    where = await checkpoint_place(grid, checkpoint_id, "path.checkpoint_id")
    return CheckpointQrView(checkpoint_id=checkpoint_id, compound_id=where.compound_id,
                            qr_code=permits.checkpoint_code(checkpoint_id))


def _permit_type(permit_type: str) -> str:
    if permit_type not in PERMIT_TYPES:
        raise InvalidInput(f"permit_type must be one of {', '.join(PERMIT_TYPES)}", field="path.permit_type")
    return permit_type


@router.get("/review-policies", response_model=list[PolicyView], summary="Who reviews each permit type, and the rule")
async def list_policies(permits: Permits, _: Reader) -> list[PolicyView]:
    return [PolicyView.of(t, await permits.policies.get(t)) for t in PERMIT_TYPES]


@router.put("/review-policies/{permit_type}", response_model=PolicyView,
            summary="Configure the departments, approval rule, step time limit and validity of a permit type "
                    "(applies to applications taken from now on)")
async def put_policy(permit_type: str, body: PolicyBody, permits: Permits, principal: Admin) -> PolicyView:
    policy = ReviewPolicy(**body.model_dump())
    await permits.policies.put(_permit_type(permit_type), policy, principal.subject)
    return PolicyView.of(permit_type, policy)


@router.get("/figures", summary="Counts of applications by type, status, channel and day; issued by type and day")
async def figures(permits: Permits, _: FigureReader,
                  day_from: Annotated[date | None, Query(description="First applied day (UTC), inclusive.")] = None,
                  day_to: Annotated[date | None, Query(description="Last applied day (UTC), inclusive.")] = None,
                  ) -> dict[str, Any]:
    if day_from and day_to and day_to < day_from:
        raise InvalidInput("day_to is before day_from", field="query.day_to")
    return await permits.figures(day_from.isoformat() if day_from else None, day_to.isoformat() if day_to else None)
