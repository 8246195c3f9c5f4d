"""Friendly error pages (a 500 rolls the session back so a half-done change is never committed) and the
security headers every response carries."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from core.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _page(code: int, template: str):
    if _wants_json():
        return jsonify({"error": code}), code
    return render_template(template), code


def init_app(app) -> None:
    @app.errorhandler(403)
    def forbidden(_e):
        return _page(403, "errors/403.html")

    @app.errorhandler(404)
    def not_found(_e):
        return _page(404, "errors/404.html")

    @app.errorhandler(413)
    def too_large(_e):
        return _page(413, "errors/413.html")

    @app.errorhandler(429)
    def too_many(_e):
        return _page(429, "errors/429.html")

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        if _wants_json():
            return jsonify({"error": 400, "reason": "csrf", "message": e.description}), 400
        return render_template("errors/400.html", reason=e.description), 400

    @app.errorhandler(500)
    def server_error(_e):
        db.session.rollback()
        return _page(500, "errors/500.html")

    @app.after_request
    def security_headers(response):
        # The app is never framed, never sniffed, and leaks no URLs to other sites.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.teardown_request
    def rollback_on_exception(exc):
        if exc is not None:
            db.session.rollback()
