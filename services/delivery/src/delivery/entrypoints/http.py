"""The delivery api: the app factory, with one router per resource (merchants, orders, pickup
points, teams, relief parcels, figures)."""

from __future__ import annotations

from fastapi import FastAPI

from towngrid_kit.http import ApiResources, create_app, serve
from towngrid_kit.settings import load_settings

from delivery.bootstrap import build_services
from delivery.config import DeliverySettings
from delivery.entrypoints import figures, merchants, orders, pickup_points, relief, teams


def create_delivery_app(settings: DeliverySettings) -> FastAPI:
    async def setup(app: FastAPI, resources: ApiResources) -> None:
        app.state.services = await build_services(resources.db, settings)

    return create_app(service="delivery", settings=settings, setup=setup,
                      routers=[merchants.router, orders.router, pickup_points.router, teams.router, relief.router,
                               figures.router],
                      description="Merchants and in-store price lists, proxy shopping and online orders to the door "
                                  "or the checkpoint, service teams, pickup slots, relief parcels, figures.")


def main() -> None:
    settings = load_settings(DeliverySettings)
    serve(create_delivery_app(settings), settings)
