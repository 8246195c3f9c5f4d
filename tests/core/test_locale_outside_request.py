"""gettext works outside a request (CLI commands, seeders, background jobs): the default locale applies."""

from flask_babel import gettext

from core.i18n import select_locale


def test_select_locale_without_request_uses_default(app):
    with app.app_context():
        assert select_locale() == app.config["BABEL_DEFAULT_LOCALE"]
        assert gettext("row %(n)d", n=3)  # no RuntimeError about a missing request context
