"""Friendly error pages (a 500 rolls the session back so a half-done change is never committed) and the
security headers every response carries."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from core.extensions import db

# Scripts, fonts, fetches and form posts only from this site; no plugins, no framing by others. Styles
# allow inline (the exam page's small <style> block and style attributes); images allow data: URIs
# (QR codes). Every page's JavaScript lives in static/ (no inline handlers: see static/js/app.js).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)


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
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    @app.teardown_request
    def rollback_on_exception(exc):
        if exc is not None:
            db.session.rollback()
