"""Benchmark: bulk certificate issue (≥ 20/s over 1,000), single stored download (< 50 ms) and the
持证上岗 matrix for 10,000 employees (build + xlsx export < 2 s). Rerun: .venv/bin/python bench/bench_certificates.py
(uses a throw-away SQLite database; set BENCH_DATABASE_URL to use another)."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from decimal import Decimal

os.environ.setdefault("TASK_QUEUE", "immediate")
TMP = tempfile.mkdtemp(prefix="gridready-bench-")
os.environ.setdefault("GRIDREADY_INSTANCE", TMP)

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select, true  # noqa: E402

from accounts.models import Department, Employee, Position, User  # noqa: E402
from accounts.passwords import hash_password  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.jobs import JobRun  # noqa: E402
from core.pdf import render_pdf  # noqa: E402
from training.certificates import CertificateSpec, _page_context, issue_certificates  # noqa: E402
from training.jobs import start_certificates_job  # noqa: E402
from training.models import Certificate, CertificateType, QualificationRecord, certificate_type_positions  # noqa: E402
from training.qualifications import matrix_rows, matrix_workbook  # noqa: E402

SURNAMES, GIVEN = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲",
)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP}/bench.db")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": "localhost",
            "SESSION_COOKIE_SECURE": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 64,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        dept = Department(name="客服中心", code="B1", kind="center", path="/1/", depth=0)
        pos = Position(code="CSR", name="客户服务专员", annual_training_hours=Decimal(40))
        db.session.add_all([dept, pos])
        db.session.flush()
        dept.path = f"/{dept.id}/"
        rows = [
            {
                "employee_no": f"B{i:05d}",
                "name": SURNAMES[i % 20] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)],
                "department_id": dept.id,
                "position_id": pos.id,
                "status": "active",
            }
            for i in range(10_000)
        ]
        db.session.execute(insert(Employee), rows)
        db.session.commit()
        employees = db.session.scalars(select(Employee).order_by(Employee.id).limit(1000)).all()
        now = dt.datetime.now(dt.UTC)
        specs = [
            CertificateSpec(
                "training_completion",
                e,
                "95598服务流程与工单处理",
                f"PX-2026-FW202-{i:06d}",
                dt.date(2026, 6, 1),
                None,
                "华源省电力公司培训中心",
                f"bench:{i}",
            )
            for i, e in enumerate(employees)
        ]
        warm = [
            CertificateSpec(
                s.kind,
                s.employee,
                s.title,
                s.number + "-W",
                s.issued_on,
                None,
                s.issuer,
                "warm:" + s.source_key,
            )
            for s in specs[:5]
        ]
        issue_certificates(warm, now=now)  # warm-up (fonts, templates)
        db.session.commit()
        # The yardstick, measured in the same run (the machine may be shared): one certificate laid out
        # and written as its own document with core.pdf.render_pdf, as a naive one-by-one issue would.
        one = db.session.scalar(select(Certificate).where(Certificate.source_key == "warm:bench:0"))
        html = app.jinja_env.get_template("training/pdf/certificates.html").render(pages=[_page_context(one)])
        bare = []
        for _ in range(5):
            t = time.perf_counter()
            render_pdf(html)
            bare.append(time.perf_counter() - t)
        bare_s = statistics.median(bare)
        user = User(
            employee=employees[0], password_hash=hash_password("bench password 1"), must_change_password=False
        )
        db.session.add(user)
        db.session.commit()
        start = time.perf_counter()
        job = start_certificates_job(specs, user=user, now=now)  # the background job (inline here)
        db.session.commit()
        elapsed = time.perf_counter() - start
        db.session.expire_all()
        job = db.session.get(JobRun, job.id)
        assert job.status == "succeeded", job.message
        certs = db.session.scalars(select(Certificate).where(Certificate.source_key.like("bench:%"))).all()
        per_cert = elapsed / len(certs)
        print(
            f"bulk issue (job): {len(certs)} certificates in {elapsed:.1f} s = {len(certs) / elapsed:.1f} per second "
            f"(avg PDF {statistics.mean(len(c.pdf) for c in certs) / 1024:.0f} KB)"
        )
        print(
            f"bare one-page render in this run: {bare_s * 1000:.0f} ms; bulk per certificate "
            f"{per_cert * 1000:.0f} ms = {per_cert / bare_s:.2f} x the bare render "
            f"(the target 20/s = 50 ms is {0.05 / bare_s:.2f} x the bare render here)"
        )

        client = app.test_client()
        client.post("/login", data={"employee_no": employees[0].employee_no, "password": "bench password 1"})
        times = []
        for _ in range(30):
            t = time.perf_counter()
            response = client.get(f"/training/certificates/{certs[0].id}.pdf")
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200 and response.data.startswith(b"%PDF")
        print(f"single download: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")

        types = [
            CertificateType(code=f"K{i}", name=n, validity_months=36, issuer="培训中心")
            for i, n in enumerate(["客户服务专员岗位资格", "服务礼仪培训合格", "信息安全培训合格"])
        ]
        db.session.add_all(types)
        db.session.flush()
        db.session.execute(
            insert(certificate_type_positions),
            [{"certificate_type_id": t.id, "position_id": pos.id} for t in types],
        )
        ids = db.session.scalars(select(Employee.id)).all()
        today = dt.date(2026, 11, 26)
        recs = []
        for n, emp_id in enumerate(ids):
            for k, t in enumerate(types):
                if (n + k) % 11 == 0:
                    continue
                recs.append(
                    {
                        "employee_id": emp_id,
                        "certificate_type_id": t.id,
                        "number": f"{t.code}-{n}",
                        "issued_on": today - dt.timedelta(days=(n * 37 + k) % 1200),
                        "expires_on": today + dt.timedelta(days=((n * 53 + k) % 900) - 100),
                        "note": "",
                        "recorded_at": now,
                    }
                )
        db.session.execute(insert(QualificationRecord), recs)
        db.session.commit()
        with app.test_request_context():
            matrix_workbook(matrix_rows(true(), today)[:100], types)  # warm-up (imports, catalogues)
        t = time.perf_counter()
        matrix = matrix_rows(true(), today)
        built = time.perf_counter() - t
        with app.test_request_context():
            data = matrix_workbook(matrix, types)
        total = time.perf_counter() - t
        print(
            f"matrix: {len(matrix)} employees × {len(types)} types built in {built:.2f} s, "
            f"with xlsx export {total:.2f} s ({len(data) // 1024} KB)"
        )


if __name__ == "__main__":
    main()
