"""The delivery api. So far only health, readiness and docs: its features are its own issue."""

from __future__ import annotations

from fastapi import FastAPI

from towngrid_kit.http import create_app, serve
from towngrid_kit.settings import load_settings
from delivery.config import DeliverySettings


def create_delivery_app(settings: DeliverySettings) -> FastAPI:
    return create_app(service="delivery", settings=settings, routers=[])


def main() -> None:
    settings = load_settings(DeliverySettings)
    serve(create_delivery_app(settings), settings)
