"""What `make run` does after installing: migrate a fresh SQLite database, start `python run.py`,
which loads the demo and serves; the health check answers and a demo user signs in."""
import os
import socket
import subprocess
import sys
import time

import httpx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_migrate_then_run_serves_the_demo(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(ORDERHUB_INSTANCE=str(tmp_path), PORT=str(port), DEMO_PASSWORD="run-demo-pass-1",
               FLASK_APP="app:create_app")
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade", "-d", "migrations"], cwd=ROOT,
        env=dict(env, FAB_CREATE_DB="False", FAB_UPDATE_PERMS="False", SANDBOX_ENABLED="False"),
        capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    server = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.stdout.read()[-3000:]
                time.sleep(0.5)
        else:
            raise AssertionError("the server did not start")
        assert health.status_code == 200 and health.json()["database"]["backend"] == "sqlite"
        with httpx.Client(base_url=base, follow_redirects=False, timeout=10) as client:
            login_page = client.get("/login/")
            token = login_page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            resp = client.post("/login/", data={"username": "clerk", "password": "run-demo-pass-1",
                                                "csrf_token": token})
            assert resp.status_code == 302
            orders = client.get("/orderview/list/")
            # The demo's own orders and those pulled from the three sandbox shops: more than 60.
            assert orders.status_code == 200 and orders.text.count("SO-000") >= 25
            newest = max(int(n[:6]) for n in orders.text.split("SO-")[1:] if n[:6].isdigit())
            assert newest > 60
    finally:
        server.terminate()
        server.wait(timeout=20)
