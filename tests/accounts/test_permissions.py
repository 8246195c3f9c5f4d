"""Role matrix for the accounts and shell pages."""

import pytest

from tests import factories
from tests.access import assert_access

ALL = {"employee", "trainer", "hr", "admin"}
STAFF_LIST = {"trainer", "hr", "admin"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/", ALL),
        ("/notifications", ALL),
        ("/account/password", ALL),
        ("/people", STAFF_LIST),
        ("/people/new", {"hr", "admin"}),
        ("/people/import", {"hr", "admin"}),
        ("/people/import/template.xlsx", {"hr", "admin"}),
        ("/admin/users", {"admin"}),
        ("/admin/departments", {"admin"}),
        ("/admin/positions", {"admin"}),
        ("/admin/audit", {"hr", "admin"}),
    ],
)
def test_role_matrix(app, db, url, allowed):
    assert_access(app, url, allowed)


def test_me_redirects_each_user_to_their_own_profile(app, db):
    assert_access(app, "/me", ALL, ok=(302,))


def test_profile_of_someone_else(app, db):
    other = factories.employee()
    # Unscoped trainer, HR and admin see every profile; an employee sees only their own (404 here).
    assert_access(app, f"/people/{other.id}", STAFF_LIST, denied=(404,))


def test_admin_posts_are_admin_only(app, db):
    target = factories.user()
    assert_access(app, f"/admin/users/{target.id}/active", {"admin"}, method="POST", ok=(302,))
