"""Password hashing cost (issue 14): production defaults at or above OWASP's argon2id minimum, and a hash
made with other settings is redone at the next successful sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher

from accounts import passwords, services
from core.config import load_config
from core.models import utcnow
from tests import factories


def test_production_defaults_meet_owasps_minimum(monkeypatch):
    for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    config = load_config()
    assert config["ARGON2_MEMORY_COST"] >= passwords.OWASP_MINIMUM["memory_cost"]
    assert config["ARGON2_TIME_COST"] >= passwords.OWASP_MINIMUM["time_cost"]
    assert config["ARGON2_PARALLELISM"] >= passwords.OWASP_MINIMUM["parallelism"]


def test_a_hash_with_other_settings_is_redone_at_sign_in(app, db):
    user = factories.user()
    old = PasswordHasher(time_cost=3, memory_cost=128, parallelism=2).hash(factories.PASSWORD)
    user.password_hash = old
    db.session.flush()
    with app.test_request_context():
        services.authenticate(user.employee.employee_no, factories.PASSWORD, utcnow())
        assert user.password_hash != old
        assert not passwords.needs_rehash(user.password_hash)
        assert passwords.verify_password(user.password_hash, factories.PASSWORD)
        parameters = passwords.hasher()
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_COST"],
        app.config.get("ARGON2_PARALLELISM", 1),
    )
