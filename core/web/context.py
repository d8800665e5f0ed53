"""The city an application serves, reachable from any request or app context."""

from __future__ import annotations

from flask import Flask, current_app
from kleroterion.city.types import CityConfig
from kleroterion.plugins import City

CITY_KEY = "kleroterion.city"


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
