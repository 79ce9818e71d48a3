"""Mixed reads and writes against a running Team Tracker (driven by load/run.py).

Leads read their dashboard and team pages, log 1:1 sessions and rate members; engineers read
their home page and tick off their own action items. Every write the server acknowledges
(a redirect after POST) is appended to ACK_FILE, so run.py can check it reached the database.
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid

from locust import HttpUser, between, events, task

PASSWORD = os.environ["LOAD_PASSWORD"]
ACK_FILE = os.environ["LOAD_ACK_FILE"]
LEADS = json.loads(
    os.environ["LOAD_LEADS"]
)  # [{"email":..., "members": [ids], "category": id, "competencies": [ids]}]
ENGINEERS = json.loads(os.environ["LOAD_ENGINEERS"])  # [{"email":..., "items": [ids]}]
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
acks: list[dict] = []


@events.quitting.add_listener
def _save(environment, **_kw):
    with open(ACK_FILE, "a", encoding="utf-8") as fh:
        for ack in acks:
            fh.write(json.dumps(ack) + "\n")


class _Base(HttpUser):
    abstract = True
    wait_time = between(0.05, 0.3)
    account: dict = {}

    def _token(self, path: str) -> str | None:
        page = self.client.get(
            path, name=path.split("?")[0] if "/members/" not in path else "/members/[id]/..."
        )
        match = CSRF.search(page.text)
        return match.group(1) if match else None

    def on_start(self):
        token = self._token("/login")
        self.client.post(
            "/login",
            data={"email": self.account["email"], "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
            name="/login",
        )


class Lead(_Base):
    weight = 2

    def on_start(self):
        self.account = random.choice(LEADS)
        super().on_start()

    @task(4)
    def dashboard(self):
        self.client.get("/dashboard")

    @task(2)
    def member_page(self):
        mid = random.choice(self.account["members"])
        self.client.get(f"/members/{mid}/competencies", name="/members/[id]/competencies")

    @task(1)
    def log_session(self):
        mid = random.choice(self.account["members"])
        token = self._token(f"/members/{mid}/sessions/new")
        marker = f"load-{uuid.uuid4().hex}"
        r = self.client.post(
            f"/members/{mid}/sessions/new",
            name="/members/[id]/sessions/new",
            data={
                "csrf_token": token,
                "kind": "one_on_one",
                "held_at": "2026-11-20T10:00",
                "duration_minutes": "30",
                "agenda": marker,
                "shared_notes": "load test",
                "private_notes": "load test",
            },
            allow_redirects=False,
        )
        if r.status_code == 302:
            acks.append({"kind": "session", "marker": marker})

    @task(1)
    def rate(self):
        mid = random.choice(self.account["members"])
        token = self._token(f"/members/{mid}/competencies")
        comp = random.choice(self.account["competencies"])
        marker = f"load-{uuid.uuid4().hex}"
        r = self.client.post(
            f"/members/{mid}/ratings",
            name="/members/[id]/ratings",
            data={
                "csrf_token": token,
                "category_id": self.account["category"],
                f"c{comp}": str(random.randint(0, 5)),
                f"n{comp}": marker,
            },
            allow_redirects=False,
        )
        if r.status_code == 302:
            acks.append({"kind": "rating", "marker": marker})


class Engineer(_Base):
    weight = 1

    def on_start(self):
        self.account = random.choice(ENGINEERS)
        super().on_start()

    @task(3)
    def home(self):
        self.client.get("/me")

    @task(1)
    def tick(self):
        if not self.account["items"]:
            return
        item = random.choice(self.account["items"])
        token = self._token("/me")
        r = self.client.post(
            f"/items/{item}/done",
            name="/items/[id]/done",
            data={"csrf_token": token, "next": "/me"},
            allow_redirects=False,
        )
        if r.status_code == 302:
            acks.append({"kind": "item", "id": item})
