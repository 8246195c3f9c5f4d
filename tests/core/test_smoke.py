from accounts.models import Employee


def test_login_page_renders_in_chinese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True) or "Sign in" in response.get_data(as_text=True)


def test_dashboard_after_login(client, login):
    user = login("hr")
    page = client.get("/").get_data(as_text=True)
    assert user.employee.name in page


def test_rollback_between_tests_first(db):
    from tests import factories

    factories.employee(employee_no="ROLLBACK1")
    assert db.session.query(Employee).filter_by(employee_no="ROLLBACK1").count() == 1


def test_rollback_between_tests_second(db):
    assert db.session.query(Employee).filter_by(employee_no="ROLLBACK1").count() == 0
