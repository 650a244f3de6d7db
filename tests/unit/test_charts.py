"""The server-drawn charts: escaped labels, an axis that reaches past the highest bar, a bar per
figure with its exact value on hover, and links that lead to the list behind a bar."""
from app.web import charts


def test_columns_draw_every_point_with_its_figure_on_hover():
    svg = str(charts.columns([("01/12", 0, "01/12: 0 ₫"), ("02/12", 1_250_000, "02/12: 1.250.000 ₫"),
                              ("03/12", 480_000, "03/12: 480.000 ₫")], label_every=1,
                             decimal_comma=True))
    assert svg.count('class="bar"') == 3
    assert "<title>02/12: 1.250.000 ₫</title>" in svg
    assert ">2M<" in svg and ">1,5M<" in svg  # the axis tops at 2M, in Vietnamese notation


def test_labels_and_links_are_escaped():
    svg = str(charts.stacked_rows([("<b>Shop</b>", [("new", 3, "a&b", "/orderview/list/?x=1&y=2")])]))
    assert "<b>Shop</b>" not in svg and "&lt;b&gt;Shop&lt;/b&gt;" in svg
    assert 'href="/orderview/list/?x=1&amp;y=2"' in svg and "<title>a&amp;b</title>" in svg
    assert 'fill="#5bc0de"' in svg  # "new" in its colour, the same on every chart


def test_hostile_names_stay_text_and_long_ones_are_cut_with_the_whole_name_on_hover():
    from xml.etree import ElementTree
    name = "Zq' onmouseover=alert(1) x=\"<script>alert(2)</script><img src=x onerror=alert(3)>"
    drawn = [charts.stacked_rows([(name, [("new", 3, name, "/orderview/list/")])]),
             charts.bars([("new", name, 3, None)]), charts.legend([("new", name)]),
             charts.columns([(name, 5, name)], label_every=1)]
    for svg in drawn:
        root = ElementTree.fromstring(str(svg))  # well-formed: nothing closed an element early
        elements = list(root.iter())
        assert not [e for e in elements if e.tag.split("}")[-1] in ("script", "img")]
        assert not [a for e in elements for a in e.attrib if a.startswith("on")]
        assert name in "".join(root.itertext())  # the whole name, as text (a title on hover)
    row = str(drawn[0])
    assert f">{name[:21]}…<title>" in row.replace("&#39;", "'").replace("&#34;", '"')


def test_the_axis_top_is_a_round_figure_at_or_above_the_peak():
    assert [charts._nice_top(v) for v in (0, 7, 10, 11, 180, 26_000_000)] == \
        [1, 10, 10, 20, 200, 50_000_000]
    assert charts.short_amount(37_500_000) == "37.5M" and charts.short_amount(900) == "900"
