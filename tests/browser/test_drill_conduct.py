"""Journey: running a drill.

A blackout drill started ten minutes ago. On a tablet the director (a trainer) opens the conduct console:
releases the first inject (ten minutes late, so 延后), skips the second with a reason and adds an
unplanned one; a second controller's console shows those actions within seconds. An evaluator on a phone
logs an observation from a quick template, linked to the first inject and the timing criterion C2, then
loses the network, logs another (queued on the phone) and sees it sent when the network is back — stored
once each. The timeline shows planned vs actual and the timing suggestion. A player scans the hotwash QR
code's address on a phone and sends feedback. The evaluation is then finished and the report issued: the
final report PDF holds the timeline, the timing check and the feedback, and not the evaluator's notes."""

import datetime as dt
import io
import re
import uuid

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from drills import assessment, issued_reports, services
from drills.catalogue import ensure_default_template
from drills.conduct_models import Feedback, Observation
from drills.evaluation_models import FormKind
from drills.models import ContentType, Drill, DrillScope, IncidentType
from drills.plans import create_plan
from tests import factories
from tests.browser.conftest import through

pytestmark = pytest.mark.browser

LEVELS = [
    (1, "重大", "一级响应", "总指挥"),
    (2, "较大", "二级响应", "分管领导"),
    (3, "一般", "三级响应", "值班长"),
]
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 360, "height": 740}


def _number() -> str:
    return f"C{uuid.uuid4().hex[:8].upper()}"


def _sign_in(page, live_server, number):
    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")


def _context(browser, viewport, mobile=False):
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=mobile, has_touch=mobile)
    return context, context.new_page()


def _running_drill(live_db):
    suffix = uuid.uuid4().hex[:4]
    with force_locale("zh_CN"):
        ensure_default_template()
        unit = factories.department(f"城南供电分公司{suffix}", kind="branch")
        people = {
            "director": factories.user(
                grants=[("trainer", unit)], department=unit, name="孙导调", employee_no=_number()
            ),
            "controller": factories.user(department=unit, name="李控", employee_no=_number()),
            "evaluator": factories.user(department=unit, name="吴评", employee_no=_number()),
            "player": factories.user(department=unit, name="钱参", employee_no=_number()),
        }
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)
        plan = create_plan(
            f"YB-{suffix}",
            f"大面积停电预案{suffix}",
            IncidentType.BLACKOUT,
            LEVELS,
            department=unit,
            now=start - dt.timedelta(days=60),
        )
        drill = services.plan_drill(
            unit=unit,
            plan=plan,
            title=f"城南停电演练{suffix}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            content_types=[c.value for c in ContentType],
            form="live",
            scope=DrillScope.FULL,
            purpose="testing",
            director=people["director"].employee,
            objectives="30分钟内完成初步研判\n1小时内发布停电信息",
            now=start - dt.timedelta(days=30),
        )
        services.add_participant(drill, people["controller"].employee, "controller")
        services.add_participant(drill, people["evaluator"].employee, "evaluator")
        services.add_participant(drill, people["player"].employee, "player")
        services.add_inject(drill, 0, "调度通知10kV线路跳闸", "值班员接报并上报", "值班员")
        services.add_inject(drill, 15, "95598来电量激增", "汇总工单", "客服值班长")
        services.approve(drill, people["director"], start - dt.timedelta(days=7))
        c2 = next(c for c in assessment.applicable_criteria(drill) if c.code == "C2")
    live_db.session.commit()
    return drill.id, {k: u.employee.employee_no for k, u in people.items()}, c2.id


def test_controllers_evaluator_and_player_run_a_drill(live_server, live_db, live_app, browser):
    drill_id, numbers, c2 = _running_drill(live_db)
    base = f"{live_server}/drills/{drill_id}"
    contexts = []
    try:
        # The director on a tablet: the console lists the injects in order with a countdown.
        ctx, tablet = _context(browser, TABLET)
        contexts.append(ctx)
        _sign_in(tablet, live_server, numbers["director"])
        tablet.goto(base)
        through(tablet, tablet.get_by_role("link", name="导调台"))
        expect(tablet.locator("main h1")).to_contain_text("导调台")
        cards = tablet.locator("#injects > li")
        expect(cards).to_have_count(2)
        expect(tablet.locator("#next")).to_contain_text("T+0")
        # A second controller watches on a phone.
        ctx2, other = _context(browser, PHONE, mobile=True)
        contexts.append(ctx2)
        _sign_in(other, live_server, numbers["controller"])
        other.goto(base + "/console")

        cards.nth(0).get_by_role("button", name="发布").click()
        expect(cards.nth(0)).to_have_attribute("data-state", "released")
        expect(cards.nth(0).locator("[data-testid=punctuality]")).to_contain_text(
            re.compile(r"延后 (9|10) 分钟")
        )
        cards.nth(1).get_by_role("button", name="跳过").click()
        cards.nth(1).get_by_label("为什么跳过？").fill("抢修车辆未到位")
        cards.nth(1).get_by_role("button", name="跳过情景").click()
        expect(cards.nth(1)).to_have_attribute("data-state", "skipped")
        tablet.get_by_label("事件", exact=True).fill("追加：媒体来电询问停电原因")
        tablet.get_by_role("button", name="添加情景").click()
        expect(cards).to_have_count(3)
        expect(tablet.locator("#counts")).to_have_text("已发布 2 · 已跳过 1 · 待发布 0")
        tablet.screenshot(path="/tmp/conduct-console-tablet.png", full_page=True)
        # The other controller's console shows all three actions within a few seconds (polling).
        expect(other.locator("#counts")).to_have_text("已发布 2 · 已跳过 1 · 待发布 0", timeout=8000)
        expect(other.locator("#injects")).to_contain_text("抢修车辆未到位")
        other.screenshot(path="/tmp/conduct-console-phone.png", full_page=True)

        # The evaluator on a phone: a quick template, linked to the first inject and criterion C2.
        ctx3, phone = _context(browser, PHONE, mobile=True)
        contexts.append(ctx3)
        _sign_in(phone, live_server, numbers["evaluator"])
        phone.goto(base + "/observe")
        phone.get_by_label("响应流程环节").select_option("assess")
        phone.get_by_role("button", name="已完成初步研判，建议等级：（等级）。").click()
        expect(phone.get_by_label("观察到什么？")).to_have_value("已完成初步研判，建议等级：（等级）。")
        phone.get_by_label("情景", exact=True).select_option(index=1)
        phone.get_by_label("评估项").select_option(str(c2))
        phone.get_by_label("照片（可选）").set_input_files(
            files=[{"name": "scene.png", "mimeType": "image/png", "buffer": _png()}]
        )
        phone.get_by_role("button", name="保存记录").click()
        expect(phone.locator("#queue-state")).to_have_text("记录已全部保存", timeout=8000)
        expect(phone.locator("#notes")).to_contain_text("已完成初步研判")
        # Offline: the note waits on the phone and goes out when the network is back.
        ctx3.set_offline(True)
        phone.get_by_label("观察到什么？").fill("客服值班长未及时汇总工单")
        phone.get_by_role("button", name="保存记录").click()
        expect(phone.locator("#queue-state")).to_contain_text("1 条记录待发送")
        ctx3.set_offline(False)
        phone.evaluate("window.dispatchEvent(new Event('online'))")
        expect(phone.locator("#queue-state")).to_have_text("记录已全部保存", timeout=10000)
        phone.screenshot(path="/tmp/conduct-observe-phone.png", full_page=True)
        live_db.session.expire_all()
        notes = live_db.session.scalars(select(Observation).where(Observation.drill_id == drill_id)).all()
        assert sorted(n.text for n in notes) == [
            "客服值班长未及时汇总工单",
            "已完成初步研判，建议等级：（等级）。",
        ]
        assert any(n.photo_id for n in notes)

        # The timeline: planned vs actual, the notes, and C2's suggestion.
        tablet.goto(base + "/timeline")
        expect(tablet.locator("#timeline")).to_contain_text("抢修车辆未到位")
        expect(tablet.locator("#timeline")).to_contain_text("客服值班长未及时汇总工单")
        timing = tablet.locator(f"#timing-{c2}")
        expect(timing).to_contain_text(re.compile(r"建议：\d+ 分钟"))
        timing.get_by_role("button", name="确认").click()
        expect(tablet.locator(f"#timing-{c2}")).to_contain_text("已核定")
        tablet.screenshot(path="/tmp/conduct-timeline-tablet.png", full_page=True)

        # The hotwash QR code's address, opened by a player on a phone.
        tablet.goto(base + "/feedback/qr")
        expect(tablet.locator("main svg")).to_have_count(1)
        url = tablet.locator("main a.text-break, main p.text-break a").first.get_attribute("href")
        assert url.endswith(f"/drills/{drill_id}/feedback")
        ctx4, player = _context(browser, PHONE, mobile=True)
        contexts.append(ctx4)
        _sign_in(player, live_server, numbers["player"])
        player.goto(live_server + f"/drills/{drill_id}/feedback")
        player.locator("label[for='rating-overall-4']").click()
        player.locator("label[for='rating-o1-5']").click()
        player.get_by_label("哪些做得好？").fill("分工明确，信息上报及时")
        player.get_by_label("哪些需要改进？").fill("媒体口径准备不足")
        player.get_by_role("button", name="提交反馈").click()
        expect(player.locator(".alert-success").first).to_contain_text("反馈已保存")
        player.screenshot(path="/tmp/conduct-feedback-phone.png", full_page=True)
        # The player reaches neither the console nor the notes.
        for path in ("/console", "/observe", "/observations", "/timeline"):
            assert player.request.get(base + path).status == 404, path
    finally:
        for context in contexts:
            context.close()
    live_db.session.expire_all()
    assert live_db.session.scalar(select(Feedback).where(Feedback.drill_id == drill_id)).ratings == {
        "overall": 4,
        "o1": 5,
    }

    # The evaluation is finished (services) and the report issued: the PDF holds it all.
    with live_app.test_request_context(), force_locale("zh_CN"):
        drill = live_db.session.get(Drill, drill_id)
        services.record_conducted(drill, {p.id for p in drill.participants}, dt.datetime.now(dt.UTC))
        services.start_evaluation(drill, dt.datetime.now(dt.UTC))
        form = assessment.form_for(drill, drill.lead_evaluator, FormKind.EVALUATOR)
        answers = {c.id: ("P", "") for c in assessment.applicable_criteria(drill)}
        assert (
            assessment.save_form(
                form, answers, strengths="", remarks="", submit=True, now=dt.datetime.now(dt.UTC)
            )
            == []
        )
        services.save_report_texts(drill, "演练总体顺利。", "", "")
        now = dt.datetime.now(dt.UTC)
        assessment.issue_report(drill, now)
        issued = issued_reports.issue_first(drill, now)
        live_db.session.commit()
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(issued.pdf)).pages)
    with open("/tmp/conduct-report.pdf", "wb") as f:
        f.write(issued.pdf)
    flat = re.sub(r"\s+", "", text)
    for words in (
        "演练实施情况",
        "抢修车辆未到位",
        "追加：媒体来电询问停电原因",
        "计时项核定",
        "C2",
        "参演人员反馈",
        "分工明确，信息上报及时",
        "媒体口径准备不足",
        "第1版",
    ):
        assert words in flat, words
    assert "客服值班长未及时汇总工单" not in flat


def _png() -> bytes:
    """A real 2×2 PNG (the phone scales it through a canvas before sending)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
