"""The load benchmark's users (locust), started by `bench/load.py`, which sets up the site and
passes it in LOAD_SEED (the seed's JSON file) and LOAD_WEBS (web processes' base URLs, comma-separated).

Journeys, each timed end to end as a request of type JOURNEY besides its own requests:
- dealer submits and tracks: portal form (login once; GET the form, POST it with a topology
  diagram), then the order page and the portal home;
- service centre works the queue: /rma/, an order from it, approve a line when the order offers it;
- hotline screen: /intake?phone= of a known customer, then the caller panel it loads;
- public warranty check: /warranty/?serial= of a known unit, no login;
and the bare view /healthz (one small database query) for scale.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections.abc import Callable
from typing import Any

from locust import HttpUser, between, events, task

SEED: dict[str, Any] = json.loads(open(os.environ["LOAD_SEED"], encoding="utf-8").read())  # noqa: SIM115
WEBS = os.environ["LOAD_WEBS"].split(",")
PASSWORD = os.environ["LOAD_PASSWORD"]
PNG = bytes.fromhex(os.environ["LOAD_PNG"])
FAULTS = ["无法开机，电源灯不亮", "运行中频繁死机", "硬盘指示灯常亮，无盘客户机无法启动", "网口无连接"]
# Each dealer's units are handed out once, in order, across all dealer users.
NEXT_UNIT = {d["code"]: itertools.count() for d in SEED["dealers"]}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def journey(name: str, body: Callable[[], bool | None]) -> None:
    """Run BODY and report it as one JOURNEY request; a step that failed fails the journey."""
    start = time.perf_counter()
    failed = body() is False
    events.request.fire(request_type="JOURNEY", name=name, response_time=(time.perf_counter() - start) * 1000,
                        response_length=0, exception=RuntimeError("a step failed") if failed else None,
                        context={})


class Site(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    host = WEBS[0]

    def on_start(self) -> None:
        self.base = random.choice(WEBS)  # a user keeps to one web process, as behind a sticky proxy

    def get(self, path: str, name: str, **kw: Any) -> Any:
        return self.client.get(self.base + path, name=name, **kw)

    def login(self, username: str) -> None:
        page = self.get("/accounts/login/", "login")
        self.client.post(self.base + "/accounts/login/", name="login", data={
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1), "username": username, "password": PASSWORD})


class Dealer(Site):
    weight = 4

    def on_start(self) -> None:
        super().on_start()
        self.dealer = random.choice(SEED["dealers"])
        self.login(self.dealer["username"])

    @task
    def submit_and_track(self) -> None:
        def body() -> bool:
            page = self.get("/portal/orders/new/", "dealer: form")
            m = CSRF.search(page.text)
            if m is None:
                return False
            serial = f"{self.dealer['prefix']}{next(NEXT_UNIT[self.dealer['code']]):06d}"
            with self.client.post(self.base + "/portal/orders/new/", name="dealer: submit", allow_redirects=False,
                                  catch_response=True, data={
                                      "csrfmiddlewaretoken": m.group(1), "contact_name": "黄工",
                                      "contact_phone": "0771-5882301", "contact_email": "hg@dealer.example.cn",
                                      "return_address": "广西南宁市青秀区民族大道 100 号", "case_number": "",
                                      "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
                                      "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50",
                                      "lines-0-serial": serial, "lines-0-fault": random.choice(FAULTS),
                                      "lines-0-advance_reason": "", "action": "submit"},
                                  files={"lines-0-topology": ("topology.png", PNG, "image/png")}) as resp:
                if resp.status_code != 302:
                    resp.failure(f"submit answered {resp.status_code}")
                    return False
                location = resp.headers["Location"]
            self.get(location, "dealer: order page")
            self.get("/portal/", "dealer: portal home")
            return True

        journey("dealer submits and tracks", body)


class Centre(Site):
    weight = 2

    def on_start(self) -> None:
        super().on_start()
        staff = [s for s in SEED["staff"] if s["role"] == "service_center"]
        self.login(random.choice(staff)["username"])

    @task
    def work_the_queue(self) -> None:
        def body() -> bool:
            queue = self.get("/rma/", "centre: queue")
            orders = sorted({int(pk) for pk in re.findall(r'href="/rma/orders/(\d+)/[#"]', queue.text)})
            if not orders:
                return queue.ok
            pk = random.choice(orders[-20:])
            page = self.get(f"/rma/orders/{pk}/", "centre: order page")
            # Each event form's fields carry the prefix "l<line>-<event>-" (rma/forms.py, event_form).
            m = re.search(r'action="(/rma/orders/\d+/lines/\d+/approve/)".*?name="(l\d+-approve-version)" '
                          r'value="(\d+)"', page.text, re.S)
            csrf = CSRF.search(page.text)
            if m is None or csrf is None:
                return page.ok
            with self.client.post(self.base + m.group(1), name="centre: approve", allow_redirects=False,
                                  catch_response=True,
                                  data={"csrfmiddlewaretoken": csrf.group(1), m.group(2): m.group(3)}) as resp:
                if resp.status_code == 409:  # a colleague approved it first: the page says so
                    resp.success()
                elif resp.status_code != 302:
                    resp.failure(f"approve answered {resp.status_code}")
                    return False
            return True

        journey("service centre works the queue", body)


class Hotline(Site):
    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.login(next(s for s in SEED["staff"] if s["role"] == "customer_service")["username"])

    @task
    def ring(self) -> None:
        def body() -> bool:
            phone = random.choice(random.choice(SEED["dealers"])["phones"])
            screen = self.get(f"/intake?phone={phone}", "hotline: /intake?phone=")
            panel = self.get(f"/callers/panel?phone={phone}", "hotline: caller panel", headers={"HX-Request": "true"})
            return screen.ok and panel.ok

        journey("hotline screen", body)


class Public(Site):
    weight = 2

    @task
    def warranty(self) -> None:
        def body() -> bool:
            dealer = random.choice(SEED["dealers"])
            serial = f"{dealer['prefix']}{random.randrange(dealer['units']):06d}"
            return self.get(f"/warranty/?serial={serial}", "public: /warranty/?serial=").ok

        journey("public warranty check", body)


class Bare(Site):
    weight = 1

    @task
    def healthz(self) -> None:
        def body() -> bool:
            return self.get("/healthz", "bare: /healthz").ok

        journey("bare view /healthz", body)
