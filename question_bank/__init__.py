"""Question bank: questions of every type, versions, categories, tags, import and export."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from question_bank import models


def init_app(app) -> None:
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        models.declare_postgresql_indexes()
