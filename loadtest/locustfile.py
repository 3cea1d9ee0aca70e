"""Locust: the delivery flow through the HTTP api, one order per task.

Each task places an order for a quarantined household (so it goes to the door), then the
merchant accepts it, staff assign it to a team, the courier picks it up and delivers it. The
merchant, its price list, the team and the households are set up once by ``run.py``, which
passes them in the environment. Run it through ``run.py`` (a process of its own: locust
monkey-patches sockets with gevent), never inside pytest or a service.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, constant_pacing, task

TOKEN = os.environ["LOADTEST_TOKEN"]
MERCHANT_ID = os.environ["LOADTEST_MERCHANT_ID"]
TEAM_ID = os.environ["LOADTEST_TEAM_ID"]
COURIERS = json.loads(os.environ["LOADTEST_COURIERS"])
HOUSEHOLDS = json.loads(os.environ["LOADTEST_HOUSEHOLDS"])
SKUS = json.loads(os.environ["LOADTEST_SKUS"])
PACING_S = float(os.environ.get("LOADTEST_PACING_S", "2"))


class DeliveryFlow(HttpUser):
    wait_time = constant_pacing(PACING_S)

    def on_start(self) -> None:
        self.client.headers.update({"Authorization": f"Bearer {TOKEN}"})

    @task
    def one_order(self) -> None:
        lines = [{"sku": sku, "quantity": random.randint(1, 3)} for sku in random.sample(SKUS, k=min(3, len(SKUS)))]
        body = {"merchant_id": MERCHANT_ID, "household_id": random.choice(HOUSEHOLDS), "channel": "phone",
                "lines": lines}
        with self.client.post("/orders", json=body, name="POST /orders", catch_response=True) as placed:
            if placed.status_code != 201:
                placed.failure(f"{placed.status_code}: {placed.text[:200]}")
                return
            order = placed.json()
            if order["destination"] != "door":
                placed.failure(f"destination {order['destination']}, expected door")
                return
        oid = order["order_id"]
        steps = [("accept", None), ("assign", {"team_id": TEAM_ID, "courier_id": random.choice(COURIERS)}),
                 ("pick-up", None), ("deliver", {"code": order["handover_code"]})]  # the household's code
        for step, payload in steps:
            with self.client.post(f"/orders/{oid}/{step}", json=payload, name=f"POST /orders/{{id}}/{step}",
                                  catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                    return
