"""The city an application serves and the engine it draws with, from any app context."""

from __future__ import annotations

from flask import Flask, current_app
from kleroterion.city.types import CityConfig
from kleroterion.plugins import City
from kleroterion.services.engine import SortitionEngine

CITY_KEY = "kleroterion.city"
ENGINE_KEY = "kleroterion.sortition_engine"


def city_of(app: Flask) -> City:
    """The city ``create_app`` loaded for ``app``."""
    city = app.extensions[CITY_KEY]
    assert isinstance(city, City)
    return city


def current_city() -> City:
    """The city of the application handling the current request."""
    return city_of(current_app)


def current_config() -> CityConfig:
    """The validated configuration of the current city."""
    return current_city().config


def engine_of(app: Flask) -> SortitionEngine:
    """The sortition engine ``create_app`` chose for ``app`` (``KLEROTERION_SORTITION_ENGINE``)."""
    engine = app.extensions[ENGINE_KEY]
    assert isinstance(engine, SortitionEngine)
    return engine


def current_engine() -> SortitionEngine:
    """The sortition engine of the application handling the current request."""
    return engine_of(current_app)
