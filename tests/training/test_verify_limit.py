"""The public verify page is limited to 30 requests a minute per address (the limiter is on in tests)."""

from core.extensions import limiter


def test_verify_page_answers_429_beyond_30_requests_a_minute(client, db):
    limiter.reset()
    try:
        statuses = [client.get(f"/verify/unknown-code-{n}").status_code for n in range(30)]
        assert statuses == [404] * 30
        refused = client.get("/verify/unknown-code-31")
        assert refused.status_code == 429
        other = client.get("/verify/x", environ_base={"REMOTE_ADDR": "10.0.0.99"})
        assert other.status_code == 404  # another address has its own allowance
    finally:
        limiter.reset()
