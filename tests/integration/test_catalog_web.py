"""The catalogue file where people and programs reach it: the REST endpoint (supervisor and admin;
422 listing every bad row; a dry run writes nothing; a large file becomes a job with progress),
``flask catalog import``, the Import page's check-then-confirm, and the exports a clerk downloads."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import JobStatus, Product, ProductVariant, StockMove, Warehouse
from tests.assistant.shop import CSV_PATH
from tests.conftest import DEMO_PASSWORD, REDIS_URL, api_token, login, make_app
from tests.support.marketplaces import wait_for_job
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
DEVSET = CSV_PATH.read_bytes()


def with_warehouse(app):
    with app.app_context():
        db.session.add(Warehouse(code="WH-HCM", name="Kho tổng HCM"))
        db.session.commit()
    return app


def post_file(client, headers, data: bytes, name="catalogue.csv", **form):
    return client.post("/api/v1/catalog/import", headers=headers,
                       data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data")


def variant_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(ProductVariant.id)))


def test_the_api_imports_for_a_supervisor_and_refuses_a_clerk(web_app):
    app = with_warehouse(web_app)
    client = app.test_client()
    clerk, supervisor = api_token(client, "clerk"), api_token(client, "supervisor")
    assert post_file(client, clerk, DEVSET).status_code == 403
    dry = post_file(client, supervisor, DEVSET, dry_run="true")
    assert dry.status_code == 200 and dry.json["dry_run"] is True
    assert dry.json["created"]["variants"] == 410 and variant_count(app) == 0
    done = post_file(client, supervisor, DEVSET)
    assert done.status_code == 200, done.json
    assert done.json["created"]["products"] == 56 and variant_count(app) == 410
    again = post_file(client, api_token(client, "admin"), DEVSET)
    assert again.json["changes"] == 0 and again.json["opening_stock_skipped"] == 359


def test_the_api_lists_every_bad_row_and_writes_nothing(web_app):
    app = with_warehouse(web_app)
    client = app.test_client()
    lines = DEVSET.decode().splitlines()
    lines[4] = lines[4].replace(",199000,", ",199k,")          # line 5
    lines[9] = lines[9].replace(",WH-HCM,", ",KHO-X,")         # line 10
    lines[0] = lines[0] + ",notes"                             # an unknown column
    answer = post_file(client, api_token(client, "supervisor"), "\n".join(lines).encode())
    assert answer.status_code == 422
    assert [(e["line"], e["column"]) for e in answer.json["errors"]] == [(1, "notes")]
    lines[0] = lines[0].removesuffix(",notes")
    answer = post_file(client, api_token(client, "supervisor"), "\n".join(lines).encode())
    assert answer.status_code == 422
    assert [(e["line"], e["column"]) for e in answer.json["errors"]] == \
        [(5, "selling_price"), (10, "warehouse_code")]
    assert answer.json["errors"][0]["message"] == \
        '"199k" is not a whole number (write 289000 or 289.000).'
    assert variant_count(app) == 0


def test_the_api_without_a_file_says_which_field(web_app):
    client = web_app.test_client()
    answer = client.post("/api/v1/catalog/import", headers=api_token(client, "supervisor"),
                         data={}, content_type="multipart/form-data")
    assert answer.status_code == 422 and "file" in answer.json["errors"]


def test_a_large_file_is_imported_by_a_job_with_progress(any_web_app):  # noqa: F811
    app = with_warehouse(any_web_app)
    app.config["CATALOG_IMPORT_INLINE_ROWS"] = 100
    client = app.test_client()
    headers = api_token(client, "supervisor")
    checked = post_file(client, headers, DEVSET, dry_run="true")
    assert checked.status_code == 202
    job = wait_for_job(app, checked.json["job_id"], timeout=120)
    assert job.status == JobStatus.FINISHED, job.error
    assert (job.progress_done, job.progress_total) == (410, 410)
    assert job.result["created"]["variants"] == 410 and variant_count(app) == 0
    started = post_file(client, headers, DEVSET)
    job = wait_for_job(app, started.json["job_id"], timeout=120)
    assert job.status == JobStatus.FINISHED, job.error
    assert (job.progress_done, job.progress_total) == (820, 820)
    assert variant_count(app) == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StockMove.id))) == 359
    assert client.get(f"/api/v1/job/{job.id}", headers=headers).json["result"]["result"][
        "created"]["opening_moves"] == 359


def test_a_bad_large_file_fails_its_job_with_every_row(web_app):
    app = with_warehouse(web_app)
    app.config["CATALOG_IMPORT_INLINE_ROWS"] = 100
    client = app.test_client()
    bad = DEVSET.replace(b",199000,", b",-1,", 1)
    job = wait_for_job(app, post_file(client, api_token(client, "supervisor"), bad)
                       .json["job_id"], timeout=120)
    assert job.status == JobStatus.FAILED and "1 line(s) have errors" in job.error
    assert [(e["line"], e["column"]) for e in job.result["errors"]] == [(2, "selling_price")]
    assert variant_count(app) == 0
    login(client, "supervisor")
    page = client.get(f"/catalog/import/job/{job.id}").get_data(as_text=True)
    assert 'data-line="2" data-column="selling_price"' in page


def test_a_large_file_on_redis_is_imported_by_a_separate_worker(tmp_path):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set (.ci/run sets it)")
    prefix = f"orderhub-test-catalog-{os.getpid()}"
    app = with_warehouse(make_app(tmp_path, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix))
    app.config["CATALOG_IMPORT_INLINE_ROWS"] = 100
    env = dict(os.environ, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix,
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], ORDERHUB_INSTANCE=str(tmp_path),
               SANDBOX_ENABLED="false", FAB_UPDATE_PERMS="false", DEMO_PASSWORD=DEMO_PASSWORD)
    worker = subprocess.Popen([sys.executable, "run.py", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        client = app.test_client()
        answer = post_file(client, api_token(client, "supervisor"), DEVSET)
        job = wait_for_job(app, answer.json["job_id"], timeout=120)
        assert job.status == JobStatus.FINISHED, job.error
        assert variant_count(app) == 410
    finally:
        worker.terminate()
        worker.communicate(timeout=20)
        from jobs.queue import runtime
        conn = runtime(app).connection
        for key in conn.scan_iter(f"{prefix}*"):
            conn.delete(key)


def test_flask_catalog_import_checks_then_imports(web_app, tmp_path):
    app = with_warehouse(web_app)
    good = tmp_path / "catalogue.csv"
    good.write_bytes(DEVSET)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["catalog", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.output
    assert variant_count(app) == 0
    done = runner.invoke(args=["catalog", "import", str(good), "--json"])
    assert done.exit_code == 0 and '"variants": 410' in done.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(DEVSET.replace(b",WH-HCM,13,", b",WH-HCM,thirteen,", 1))
    refused = runner.invoke(args=["catalog", "import", str(bad)])
    assert refused.exit_code == 1
    assert "line 3, opening_stock: \"thirteen\" is not a whole number" in refused.output
    out = tmp_path / "export.xlsx"
    assert runner.invoke(args=["catalog", "export", str(out)]).exit_code == 0
    again = runner.invoke(args=["catalog", "import", str(out), "--dry-run", "--json"])
    assert again.exit_code == 0 and '"changes": 0' in again.output


def test_the_import_page_checks_first_and_imports_on_confirmation(web_app):
    app = with_warehouse(web_app)
    client = app.test_client()
    login(client, "supervisor")
    assert client.get("/catalog/import/").status_code == 200
    checked = client.post("/catalog/import/", data={"file": (io.BytesIO(DEVSET), "catalogue.csv")},
                          content_type="multipart/form-data")
    page = checked.get_data(as_text=True)
    assert 'data-dry-run="true"' in page and variant_count(app) == 0
    token = page.split('name="token" value="')[1].split('"')[0]
    done = client.post("/catalog/import/confirm", data={"token": token, "filename": "catalogue.csv"})
    assert 'data-dry-run="false"' in done.get_data(as_text=True)
    assert variant_count(app) == 410
    stale = client.post("/catalog/import/confirm", data={"token": token, "filename": "x.csv"})
    assert stale.status_code == 302  # the file was used up: upload it again
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.get("/catalog/import/").status_code in (302, 403)
    export = clerk.get("/catalog/import/export?format=csv")
    assert export.status_code == 200 and export.data.startswith(b"\xef\xbb\xbfproduct_sku,")
    template = clerk.get("/catalog/import/template?format=xlsx")
    assert template.status_code == 200 and template.data.startswith(b"PK")


def test_search_without_accents_finds_products_variants_and_customers_everywhere(any_web_app):  # noqa: F811
    from app.models import Customer
    app = with_warehouse(any_web_app)
    client = app.test_client()
    assert post_file(client, api_token(client, "supervisor"), DEVSET).status_code == 200
    with app.app_context():
        db.session.add(Customer(name="Nguyễn Thị Đào", phone="0912345678"))
        db.session.commit()
    headers = api_token(client, "clerk")
    login(client, "clerk")
    page = client.get("/productview/list/?_flt_0_search_text=quan+jean").get_data(as_text=True)
    assert "Quần jean nữ skinny" in page and "Áo thun basic" not in page
    page = client.get("/productvariantview/list/?_flt_0_search_text=ao+thun+trang&psize_ProductVariantView=100")
    text = page.get_data(as_text=True)
    assert "AT-BASIC-TRANG-M" in text and "AT-BASIC-DEN-M" not in text
    assert ">Màu<" in text or "Màu</a>" in text  # the attribute's own name titles its column
    hits = client.get("/lookup/variants?q=ao+phong+basic").json["results"]  # an alias
    assert hits and all("Áo thun basic" in h["text"] for h in hits)
    assert client.get("/lookup/customers?q=nguyen+thi+dao").json["results"][0]["text"].startswith(
        "Nguyễn Thị Đào")
    quick = client.get("/quick-order/variants?q=binh+giu").json
    assert quick and all("giữ nhiệt" in h["label"] for h in quick)
    api = client.get("/api/v1/product/?q=(filters:!((col:search_text,opr:search,value:'binh giu')))",
                     headers=headers).json
    assert api["count"] >= 1 and all("search_text" not in r for r in api["result"])
    assert all("giữ nhiệt" in r["name"].lower() for r in api["result"])
    with app.app_context():
        product = db.session.scalars(sa.select(Product).where(Product.sku == "AT-BASIC")).one()
        product.name = "Áo phông cổ tròn Sora"
        db.session.commit()
    renamed = client.get("/lookup/variants?q=sora").json["results"]  # its variants follow
    assert renamed and all("Áo phông cổ tròn Sora" in h["text"] for h in renamed)
