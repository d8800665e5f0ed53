"""The web hooks: plugins add blueprints and template variables to a city's site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, render_template_string
from kleroterion import hookimpl, plugins
from kleroterion.web import create_app


class Extension:
    """An extension plugin: a public page of its own and a variable for every page."""

    def __init__(self, name: str, banner: str) -> None:
        self.name = name
        self.banner = banner

    @hookimpl
    def register_blueprints(self, app: Flask) -> None:
        blueprint = Blueprint(f"{self.name}_pages", __name__, url_prefix=f"/{self.name}")

        @blueprint.route("/hello")
        def hello() -> str:
            return render_template_string("{{ banner }} {{ city }}")

        app.register_blueprint(blueprint)

    @hookimpl
    def extra_template_vars(self, city: str) -> dict[str, Any]:
        return {"banner": self.banner, "city": city}


def with_extensions(monkeypatch: pytest.MonkeyPatch, *extensions: Extension) -> None:
    available = [
        *plugins.discover(),
        *(plugins.Plugin(name=extension.name, obj=extension) for extension in extensions),
    ]
    monkeypatch.setattr(plugins, "discover", lambda: available)


def test_hook_register_blueprints(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_extensions(monkeypatch, Extension("events", "Agenda"))
    app = create_app("brussels", {"TESTING": True, "SECRET_KEY": "s"})
    answer = app.test_client().get("/events/hello")
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == "Agenda brussels"
    # Without the extension, the route does not exist.
    monkeypatch.undo()
    plain = create_app("brussels", {"TESTING": True, "SECRET_KEY": "s"})
    assert plain.test_client().get("/events/hello").status_code == 404


def test_hook_extra_template_vars(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two plugins give the same variable: the one pluggy calls first (registered last) wins.
    with_extensions(monkeypatch, Extension("first", "one"), Extension("second", "two"))
    app = create_app("paris", {"TESTING": True, "SECRET_KEY": "s"})
    with app.test_request_context("/"):
        assert render_template_string("{{ banner }}/{{ city }}") == "two/paris"
    assert app.test_client().get("/first/hello").get_data(as_text=True) == "two paris"
