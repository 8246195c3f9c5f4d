"""Retake the README's screenshots from the demo (docs/screenshots/*.png).

Run after `make run` has seeded the demo, with the app serving on BASE (default http://127.0.0.1:5000):
    .venv/bin/python scripts/screenshots.py [BASE]
It signs in with the logins in instance/demo-logins.txt, starts an attempt on the practice exam as the
demo employee (the demo database changes), and needs Playwright with the system Chromium.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def logins() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "instance" / "demo-logins.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pairs[parts[0]] = parts[1]
    return pairs


def main() -> None:
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000").rstrip("/")
    passwords = logins()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

        def session(number: str, **context):
            page = browser.new_context(locale="zh-CN", **context).new_page()
            page.goto(base + "/login")
            page.fill("#employee_no", number)
            page.fill("#password", passwords[number])
            page.click("#submit")
            page.wait_for_load_state()
            return page

        desktop = {"viewport": {"width": 1280, "height": 800}}
        phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

        page = session("E0001", **desktop)
        page.screenshot(path=OUT / "employee-dashboard.png")
        page.context.close()

        page = session("E0001", **phone)
        page.goto(base + "/exams/2")
        start = page.locator("form[action$='/start'] button")
        if start.count():
            start.click()
        else:
            page.click("a[href*='/exams/attempts/']")
        page.wait_for_url("**/exams/attempts/*")
        page.locator("#q1 input").first.check()
        page.wait_for_timeout(800)
        page.screenshot(path=OUT / "exam-phone.png")
        page.context.close()

        page = session("T0001", **desktop)
        page.goto(base + "/exams/manage/1/statistics")
        page.screenshot(path=OUT / "exam-statistics.png")
        page.goto(base + "/exams/manage/blueprints/1")
        page.screenshot(path=OUT / "blueprint.png")
        page.context.close()

        page = session("H0001", **desktop)
        page.goto(base + "/training/matrix")
        page.screenshot(path=OUT / "qualification-matrix.png")
        page.goto(base + "/drills/compliance")
        page.screenshot(path=OUT / "drill-compliance.png")
        page.context.close()
        browser.close()

    # One certificate as the holder receives it, turned into an image the way a reviewer checks it.
    import sqlite3  # noqa: PLC0415 — only this step reads the demo database directly

    database = ROOT / "instance" / "gridready.db"
    if database.exists():
        row = (
            sqlite3.connect(database)
            .execute("select pdf from certificates where kind = 'qualification' order by id limit 1")
            .fetchone()
        )
        if row:
            with tempfile.TemporaryDirectory() as folder:
                pdf = Path(folder) / "certificate.pdf"
                pdf.write_bytes(row[0])
                subprocess.run(  # noqa: S603 — fixed arguments
                    ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(OUT / "certificate")],  # noqa: S607
                    check=True,
                )
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
