"""The labor api. So far only health, readiness and docs: its features are its own issue."""

from __future__ import annotations

from fastapi import FastAPI

from towngrid_kit.http import create_app, serve
from towngrid_kit.settings import load_settings
from labor.config import LaborSettings


def create_labor_app(settings: LaborSettings) -> FastAPI:
    return create_app(service="labor", settings=settings, routers=[])


def main() -> None:
    settings = load_settings(LaborSettings)
    serve(create_labor_app(settings), settings)
