"""GridReady application shell: ``create_app`` wires configuration, extensions and feature packages."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core import auth, cli, errors, i18n, jobs, navigation, templating, transaction, views
from core.config import PROJECT_ROOT, load_config
from core.database import install_idle_ping, install_sqlite_pragmas
from core.extensions import bootstrap, csrf, db, limiter, login_manager, migrate


def _check_public_base_url(app: Flask, config: dict) -> None:
    """Every printed certificate's QR code and every e-mail link carries ``PUBLIC_BASE_URL``. A production
    start without it warns loudly at start-up (and on the administrator's dashboard) rather than
    refusing: refusing would also stop every ``flask`` command (migrations, imports) on that machine."""
    configured = bool(os.environ.get("PUBLIC_BASE_URL")) or "PUBLIC_BASE_URL" in config
    missing = not configured and not app.debug and not app.testing
    app.config["PUBLIC_BASE_URL_MISSING"] = missing
    if missing:
        app.logger.warning(
            "PUBLIC_BASE_URL is not set: certificate QR codes and e-mail links will point to %s, "
            "which nobody else can open. Set PUBLIC_BASE_URL to the address users reach GridReady at.",
            app.config["PUBLIC_BASE_URL"],
        )


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask application; ``config`` overrides values read from the environment."""
    app = Flask(
        "gridready",
        root_path=str(PROJECT_ROOT),
        template_folder="templates",
        static_folder="static",
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    # Chinese text travels as UTF-8 in JSON responses: half the bytes of \uXXXX escapes (exam papers
    # on phones). The tojson filter still escapes <, >, & and ' for HTML.
    app.json.ensure_ascii = False
    app.config.update(load_config())
    if config:
        app.config.update(config)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    _check_public_base_url(app, config or {})

    install_sqlite_pragmas()
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            install_idle_ping(engine, app.config["DB_PING_IDLE_SECONDS"])
    transaction.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    navigation.init_app(app)
    auth.init_app(app)
    errors.init_app(app)

    jobs.init_app(app)
    views.init_app(app)
    cli.init_app(app)

    # Each feature package's one entry point wires its blueprint, CLI, jobs, cards and navigation.
    for name in app.config["FEATURES"]:
        importlib.import_module(name).register(app)

    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
