"""A points rule has a 名称 (what it is called); 姓名 is a person's name."""

import re


def _label_of(html: str, field: str) -> str:
    return re.search(rf'<label[^>]*for="{field}"[^>]*>([^<]*)</label>', html).group(1).strip()


def test_a_rule_is_called_by_its_名称(client, login, db):
    login("hr")
    assert _label_of(client.get("/incentives/rules/new").get_data(as_text=True), "name") == "名称"
    rules = client.get("/incentives/rules").get_data(as_text=True)
    assert "<th>名称</th>" in rules and "姓名" not in rules
