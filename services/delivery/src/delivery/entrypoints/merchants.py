"""HTTP: merchants and their in-store price lists."""

from __future__ import annotations


from fastapi import APIRouter
from fastapi.responses import JSONResponse

from towngrid_kit.auth import Role, ensure_in_scope
from towngrid_kit.errors import NotFound
from towngrid_kit.http import After, Limit
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.ids import utcnow
from towngrid_kit.paging import Page, page_of

from delivery.domain.merchant import Product
from delivery.entrypoints.deps import Svc
from delivery.entrypoints.roles import FieldWorker, PriceListKeeper, Reader, Staff
from delivery.entrypoints.schemas import MerchantView, PriceListView, PublishPriceList, RegisterMerchant
from delivery.entrypoints.scope import ensure_own_merchant

router = APIRouter(tags=["merchants"])


@router.post("/merchants", status_code=201, response_model=MerchantView,
             summary="Register a merchant (it may sell once it holds a business-reopening permit)")
async def register_merchant(body: RegisterMerchant, svc: Svc, principal: Staff, once: OncePerKey) -> JSONResponse:
    ensure_in_scope(principal, community=body.community_id)  # a community officer registers its community's shops

    async def action() -> tuple[int, object]:
        m = await svc.merchants.register(body.merchant_id, body.name, body.kind, body.community_id)
        allowed = await svc.merchants.allowed_to_sell(m.merchant_id)
        return 201, MerchantView.of(m, allowed, utcnow()).model_dump(mode="json")

    return await once(body, action)


@router.get("/merchants/{merchant_id}", response_model=MerchantView,
            summary="A merchant, whether it may sell now, and its price list in force")
async def get_merchant(merchant_id: str, svc: Svc, principal: Reader) -> MerchantView:
    m = await svc.merchants.get(merchant_id)
    ensure_own_merchant(principal, merchant_id)
    return MerchantView.of(m, await svc.merchants.allowed_to_sell(merchant_id), utcnow())


@router.get("/merchants", response_model=Page[MerchantView], summary="Merchants, a page at a time")
async def list_merchants(svc: Svc, _: FieldWorker, after: After = None, limit: Limit = 50) -> Page[MerchantView]:
    found = await svc.merchants.page(after, limit + 1)
    now = utcnow()
    allowed = {m.merchant_id: await svc.merchants.allowed_to_sell(m.merchant_id, now) for m in found[:limit]}
    return page_of(found, limit, lambda m: m.merchant_id, lambda m: MerchantView.of(m, allowed[m.merchant_id], now))


@router.post("/merchants/{merchant_id}/price-lists", status_code=201, response_model=PriceListView,
             summary="Publish a new version of the merchant's in-store price list")
async def publish_price_list(merchant_id: str, body: PublishPriceList, svc: Svc, principal: PriceListKeeper,
                             once: OncePerKey) -> JSONResponse:
    merchant = await svc.merchants.get(merchant_id)
    ensure_own_merchant(principal, merchant_id)
    if principal.role != Role.MERCHANT:  # staff: shops of their community
        ensure_in_scope(principal, community=merchant.community_id)

    async def action() -> tuple[int, object]:
        products = [Product(sku=i.sku, name=i.name, unit=i.unit, price_cents=i.price_cents) for i in body.items]
        _, listed = await svc.merchants.publish_price_list(merchant_id, products, body.effective_from)
        return 201, PriceListView.of(listed).model_dump(mode="json")

    return await once(body, action)


@router.get("/merchants/{merchant_id}/price-lists/{version}", response_model=PriceListView,
            summary="One version of the merchant's price list")
async def get_price_list(merchant_id: str, version: int, svc: Svc, principal: Reader) -> PriceListView:
    m = await svc.merchants.get(merchant_id)
    ensure_own_merchant(principal, merchant_id)
    if not 1 <= version <= len(m.price_lists):
        raise NotFound(f"merchant {merchant_id} has no price list version {version}")
    return PriceListView.of(m.price_lists[version - 1])
