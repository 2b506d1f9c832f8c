"""A dashboard table's rows are written in Python (Table.preview_html) exactly as the template's two loops wrote
them: every kind of cell a page puts in a table, escaped and localised the same way."""

import datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils.translation import gettext_lazy, override

from supervision.dashboards.charts import Num, Table

LOOPS = Template(
    "{% for row in table.preview %}<tr>{% for cell in row %}<td>{% if cell is None %}—{% else %}{{ cell }}"
    "{% endif %}</td>{% endfor %}</tr>{% endfor %}"
)


def test_the_rows_are_those_the_template_loops_wrote():
    rows = [
        ["看板小学<01> & “甲”", 48, None, Num(Decimal("7.75"), Decimal("7.5")), Num(Decimal("0.0333"), percent=True)],
        [gettext_lazy("全校"), Decimal("1234.50"), 3.5, datetime.date(2025, 9, 1), ""],
        ["'单引号'", 0, Num(None), Num(12), -7],
    ]
    table = Table(["a", "b", "c", "d", "e"], rows)
    with override("zh-hans"):
        expected = LOOPS.render(Context({"table": table}))
        assert table.preview_html() == expected
    assert "&lt;01&gt; &amp; “甲”" in expected and "<td>—</td>" in expected and "&#x27;单引号&#x27;" in expected


def test_a_long_table_writes_its_preview_only():
    table = Table(["n"], [[i] for i in range(250)])
    html = table.preview_html()
    assert html.count("<tr>") == 200 and html.endswith("<tr><td>199</td></tr>")
