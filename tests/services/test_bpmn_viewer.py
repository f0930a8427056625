from django.template.loader import render_to_string

from yiwang.services import bpmn


def test_the_viewer_snippet_carries_the_xml_as_json_and_the_ids_to_highlight():
    html = render_to_string("services/_bpmn_viewer.html", {
        "xml": bpmn.default_xml(), "viewer_id": "case-process", "highlight": ["review", "decide"],
    })  # fmt: skip
    assert '<script id="case-process" type="application/json">"\\u003C?xml' in html
    assert 'data-source="case-process"' in html
    assert 'data-highlight="review,decide"' in html
    assert 'data-highlight-class="bpmn-current"' in html


def test_the_viewer_snippet_escapes_markup_in_the_process():
    xml = bpmn.default_xml().replace("部门审查", "</script><script>alert(1)</script>")
    html = render_to_string("services/_bpmn_viewer.html", {"xml": xml, "viewer_id": "p"})
    assert "<script>alert(1)" not in html
    assert 'data-highlight=""' in html
