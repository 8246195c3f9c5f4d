"""Integrity signals (deterrents, not proof), each optional per exam and off by default.

- **Access code (考试口令)**: a word the invigilator reads out in the room, checked when an attempt starts.
  It keeps out whoever is not in the room when it is read out, until someone passes it on.
- **Allowed networks**: CIDR ranges; a start is refused from an address outside them. The address is the
  client's as Flask sees it, i.e. through the configured proxy hops (``PROXY_FIX_HOPS``: with a reverse
  proxy in front and the setting right, the address the proxy saw; with the setting wrong, the proxy's own
  address or a forgeable ``X-Forwarded-For``). It tells which network the start came from, not who sat.
- **Focus loss**: the page reports when it is hidden or loses focus (``record_focus``); the count is shown on
  the monitor and the review (recorded by ``exams.invigilation.record_focus``); after ``focus_warn_after`` events the candidate is warned, after
  ``focus_collect_after`` the attempt is collected. A second device, a phone camera or a person beside the
  candidate is not seen; a page with its scripts blocked reports nothing.
- Full screen on start, and blocking copy, paste and the context menu, are done by the page
  (static/exams/runtime.js); they make copying slower and leaving the page visible, nothing more.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass

from core.i18n import gettext as _
from exams.errors import CannotStart, ExamError
from exams.models import Exam

FOCUS_KINDS = ("hidden", "blur")
PHONE_MARKERS = ("Mobi", "Android", "iPhone", "iPad", "HarmonyOS")


@dataclass(frozen=True)
class Gate:
    """What a start request brings: the access code typed, the client's address, its User-Agent."""

    code: str = ""
    address: str | None = None
    user_agent: str = ""

    @property
    def device(self) -> str:
        if not self.user_agent:
            return ""
        return "phone" if any(m in self.user_agent for m in PHONE_MARKERS) else "desktop"


def parse_networks(text: str) -> list:
    """The CIDR ranges of the exam's setting (one per line or comma separated); ExamError on a bad one."""
    networks = []
    for part in (text or "").replace(",", "\n").split():
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError as exc:
            raise ExamError(_("Not an address range: %(r)s (write e.g. 10.20.0.0/16).", r=part)) from exc
    return networks


def address_allowed(exam: Exam, address: str | None) -> bool:
    networks = parse_networks(exam.allowed_networks)
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


def check_gate(exam: Exam, gate: Gate) -> None:
    """Refuse a new attempt without the right access code or from outside the allowed networks."""
    expected = (exam.access_code or "").strip()
    if expected and not secrets.compare_digest(
        gate.code.strip().casefold().encode(), expected.casefold().encode()
    ):
        raise CannotStart(_("The access code is not right. The invigilator reads it out in the room."))
    if not address_allowed(exam, gate.address):
        raise CannotStart(_("This exam can only be started from the training centre's network."))
