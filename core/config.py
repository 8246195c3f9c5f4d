"""Configuration read from the environment (every variable is listed in README and .env.example)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("GRIDREADY_INSTANCE", PROJECT_ROOT / "instance"))

# Feature packages, in import-direction order (STYLE.md). core imports none of them by name:
# create_app loads each one and calls its ``init_app(app)``.
FEATURES = ("accounts", "question_bank", "training", "exams", "practice", "drills", "incentives", "reports")

# Sign-in limits count failed sign-ins only (a refused password or a locked account). A whole exam hall
# or branch office reaches the server through one NAT address, so a limit on every sign-in per address
# would turn away the hall; a limit on failures still stops password spraying from one address (40
# accounts tried per 5 minutes at most) while leaving room for a hall's typos. Guessing one account is
# stopped per account (10 failures per 5 minutes, from any address) and by the account lock.
LOGIN_RATE_LIMIT_IP = "40 per 5 minutes"
LOGIN_RATE_LIMIT_ACCOUNT = "10 per 5 minutes"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/secret_key."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'gridready.db'}"
    # psycopg 3 is the PostgreSQL driver; accept the common short forms.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config() -> dict:
    """Build the Flask config dict from the environment."""
    redis_url = os.environ.get("REDIS_URL") or None
    cfg = {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        # Pooled connections are pinged before use only after DB_PING_IDLE_SECONDS idle (core/database.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "DB_PING_IDLE_SECONDS": float(os.environ.get("DB_PING_IDLE_SECONDS", "10")),
        "REDIS_URL": redis_url,
        # Sessions: httponly, SameSite=Lax, Secure unless SESSION_COOKIE_SECURE=0 (plain-http development).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_NAME": "gridready_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        # A signed-in session lasts 12 h from the last request (refreshed on each request), so a
        # long exam never outlives it.
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_HOURS", "12")) * 3600,
        # CSRF tokens live as long as the session that holds them (no separate clock): a candidate who
        # spends three hours on an exam page can still save and submit. The token is bound to the
        # session, which is renewed at login, so a stolen old token is useless after logout.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": _bool("WTF_CSRF_SSL_STRICT", True),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh_CN", "en"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BOOTSWATCH_THEME": None,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down must not stop sign-in or an exam: limits fall back to per-process memory (the same
        # limits, counted by each worker alone) and switch back when Redis answers again; Flask-Limiter
        # logs one warning when it falls back and one line when storage recovers (docs/operations.md).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_RATE_LIMIT_IP": os.environ.get("LOGIN_RATE_LIMIT_IP", LOGIN_RATE_LIMIT_IP),
        "LOGIN_RATE_LIMIT_ACCOUNT": os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", LOGIN_RATE_LIMIT_ACCOUNT),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USER": os.environ.get("SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "gridready@localhost"),
        # seconds after which an e-mail claimed by a delivery that never finished may be sent again
        "MAIL_CLAIM_TIMEOUT": int(os.environ.get("MAIL_CLAIM_TIMEOUT", "900")),
        "TASK_QUEUE": os.environ.get("TASK_QUEUE", "redis" if redis_url else "sqlite"),
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "INSTANCE_DIR": str(INSTANCE_DIR),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")),
        # Processes laying out PDFs in bulk (a department's sheets); 0 = one per core (core/pdf.py).
        "PDF_WORKERS": int(os.environ.get("PDF_WORKERS", "0")),
        # argon2id at OWASP's baseline (m = 19 MiB, t = 2, p = 1): ~20 ms of one core per sign-in, so a
        # 1,000-person exam hall signs in within the minute on 2 cores (docs/exams.md, issue 14). Stronger
        # settings are a deployment choice; hashes made with other settings are redone at the next sign-in.
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", "2")),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", str(19 * 1024))),
        "ARGON2_PARALLELISM": int(os.environ.get("ARGON2_PARALLELISM", "1")),
        # Self-practice: right answers in a row that master a mistake-book entry (docs/practice.md).
        "PRACTICE_MASTERED_AFTER": int(os.environ.get("PRACTICE_MASTERED_AFTER", "2")),
        "FEATURES": FEATURES,
    }
    return cfg
