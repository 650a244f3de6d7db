"""Every REST list endpoint answers a bad ``q`` with 400 and a message naming the parameter: never
a 500, never a silently ignored filter (on SQLite and PostgreSQL)."""
from __future__ import annotations

from flask_appbuilder import ModelRestApi

from tests.conftest import api_token
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)

# (q, the parameter the answer must name)
BAD = [("(page:-1)", "page"), ("(page:abc)", "page"), ("(page:99999999999999999999)", "page"),
       ("(page_size:-5)", "page_size"), ("(page_size:0)", "page_size"),
       ("(page_size:100000)", "page_size"), ("((", "q"), ("!(1,2)", "q"), ("'x", "q"),
       ("(order_column:no_such_column)", "order"), ("(order_direction:sideways)", "order_direction"),
       ("(filters:!((col:no_such_column,opr:eq,value:1)))", "filters[0].col"),
       ("(filters:!((col:id,opr:eq)))", "filters[0]"), ("(filters:x)", "filters")]


def _list_apis(app):
    return [api for api in app.appbuilder.baseviews if isinstance(api, ModelRestApi)
            and (not api.include_route_methods or "get_list" in api.include_route_methods)]


def test_bad_query_arguments_answer_400_naming_the_parameter(any_web_app):  # noqa: F811
    any_web_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = any_web_app.test_client()
    headers = api_token(client, "admin")
    problems = []
    apis = _list_apis(any_web_app)
    assert len(apis) >= 30
    for api in apis:
        base = f"/api/v1/{api.resource_name}/"
        column = next(iter(api.search_columns), None)
        cases = list(BAD)
        if column:
            cases.append((f"(filters:!((col:{column},opr:no_such_operator,value:1)))",
                          "filters[0].opr"))
        for q, param in cases:
            resp = client.get(base, query_string={"q": q}, headers=headers)
            message = (resp.get_json(silent=True) or {}).get("message", "")
            if resp.status_code != 400 or param not in str(message):
                problems.append(f"GET {base}?q={q} → {resp.status_code} {message!r}")
    assert not problems, "\n".join(problems)


def test_filter_values_of_the_wrong_type_answer_400(any_web_app):  # noqa: F811
    any_web_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = any_web_app.test_client()
    headers = api_token(client, "admin")
    wrong = [("placed_at", "gt", "'not a date'"), ("total", "gt", "abc"), ("id", "eq", "1.5"),
             ("status", "eq", "no_such_state"), ("warehouse", "rel_o_m", "abc"),
             ("buyer_name", "sw", "!(1,2)"), ("invoice_requested", "eq", "maybe"),
             ("buyer_name", "eq", "'a\x00b'"), ("total", "in", "1")]
    for col, opr, value in wrong:
        q = f"(filters:!((col:{col},opr:{opr},value:{value})))"
        resp = client.get("/api/v1/order/", query_string={"q": q}, headers=headers)
        assert resp.status_code == 400, (q, resp.get_data(as_text=True))
        assert "filters[0]" in resp.json["message"], resp.json
    fine = client.get("/api/v1/order/", headers=headers, query_string={
        "q": "(filters:!((col:placed_at,opr:gt,value:'2026-01-01'),(col:total,opr:gt,value:0),"
             "(col:status,opr:eq,value:new)),page:0,page_size:5)"})
    assert fine.status_code == 200, fine.json
