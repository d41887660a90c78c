"""Passing a directive on at once, from the web process.

An acknowledgement in forward mode, a unit's implementing plan written on its page and a refusal rerouted in the
console each leave a directive stored and not dispatched; a refusal and a unit dissolved into its successor queue
other mail (the issuer's notice, the successor's). After its commit the request hands the directive's id (or the
news of other mail) to this process's `PassOnNotifier` (CASCADE_PASSON_DISPATCH=now, the default), which returns
at once. Its one thread waits CASCADE_PASSON_COALESCE_MS for more (a burst of acknowledgements becomes one run),
then:

- with a Prefect API that has the `pass-on` deployment (prefect.yaml): emits one Prefect event
  `cascade.pass-on.owed` with the ids in its payload; the deployment's trigger starts a `pass-on` run on a worker;
- otherwise (no server, the ephemeral API, the embedded default): runs the `pass-on` flow in that thread, as
  web/launching.py runs a console launch.

An event lost on the way, or a process stopped with ids still waiting, leaves the directives undispatched: the
hourly `dispatch-pending` run sends them. The `pass-on` flow dispatches only what is still owed, so an id handed
over twice sends nothing twice."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from cascade.core.settings import Settings
from web.launching import api_url, created_run, deployment_exists, run_created

log = logging.getLogger("cascade.web.passon")

DEPLOYMENT = "pass-on/pass-on"
ENTRYPOINT = "flows.pass_on:pass_on"  # prefect.yaml's flows/pass_on.py:pass_on, in its module form
EVENT = "cascade.pass-on.owed"  # the trigger of the `pass-on` deployment in prefect.yaml expects it
DEPLOYMENT_CHECK_SECONDS = 60.0  # how long the answer "the server has the deployment" is trusted
IDLE_SECONDS = 60.0  # the thread stops after this long with nothing to do; the next id starts it again


class PassOnNotifier:
    """Collects the ids of directives owed a dispatch and hands them on from one thread."""

    def __init__(self, coalesce_seconds: float) -> None:
        self.coalesce = coalesce_seconds
        self._lock = threading.Condition()
        self._owed: list[int] = []
        self._mail = False  # other mail is owed too (a refusal's notice to the issuer, successors' notices)
        self._busy = False
        self._thread: threading.Thread | None = None
        self._checked: tuple[float, bool] = (float("-inf"), False)

    def owed(self, directive_id: int | None, *, mail: bool = False) -> None:
        """Hand over a directive owed a dispatch, or (`mail`) news that other mail is owed; returns at once."""
        with self._lock:
            if directive_id is not None and directive_id not in self._owed:
                self._owed.append(directive_id)
            self._mail = self._mail or mail
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="pass-on", daemon=True)
                self._thread.start()
            self._lock.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every id handed over has been handed on (its event emitted, or its run finished)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._owed or self._mail or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not (self._owed or self._mail):
                    self._lock.wait(IDLE_SECONDS)
                if not (self._owed or self._mail):
                    self._thread = None
                    return
                self._busy = True
            time.sleep(self.coalesce)  # the rest of a burst joins this run
            with self._lock:
                ids, mail, self._owed, self._mail = self._owed, self._mail, [], False
            try:
                self._hand_on(ids, mail)
            except Exception:  # noqa: BLE001 - logged; the hourly dispatch-pending run sends them
                log.exception("could not pass on directives %s; dispatch-pending will send them", ids)
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()

    def _hand_on(self, ids: list[int], mail: bool) -> None:
        parameters: dict[str, Any] = {"directive_ids": ids, "other_mail": mail}
        if self._server_has_deployment():
            from prefect.events import emit_event

            resource = {"prefect.resource.id": f"cascade.pass-on.{ids[0] if ids else 'mail'}",
                        "prefect.resource.name": "pass-on"}  # fmt: skip
            if emit_event(event=EVENT, resource=resource, payload=parameters) is not None:
                log.info("pass-on of directives %s: event %s emitted", ids, EVENT)
                return
            # Events are off in this process's Prefect settings: the same run, asked for directly.
            from prefect.deployments import run_deployment

            run_deployment(DEPLOYMENT, parameters=parameters, timeout=0, as_subflow=False)
            return
        flow, flow_run = created_run(ENTRYPOINT, parameters)
        run_created(flow, flow_run, parameters, f"pass-on-{ids[0] if ids else 'mail'}")

    def _server_has_deployment(self) -> bool:
        at, answer = self._checked
        if time.monotonic() - at > DEPLOYMENT_CHECK_SECONDS:
            answer = bool(api_url()) and deployment_exists(DEPLOYMENT)
            self._checked = (time.monotonic(), answer)
        return answer


_CREATING = threading.Lock()


def notifier_of(state: Any) -> PassOnNotifier:
    """The web app's notifier (request.app.state), made on first use."""
    with _CREATING:
        notifier: PassOnNotifier | None = getattr(state, "passon_notifier", None)
        if notifier is None:
            settings: Settings = state.settings
            notifier = PassOnNotifier(settings.web.passon_coalesce_ms / 1000)
            state.passon_notifier = notifier
        return notifier


def notify_pass_on(state: Any, directive_id: int | None) -> None:
    """After the commit of a write that left `directive_id` owed a dispatch (None: nothing owed, nothing done)."""
    if directive_id is None or state.settings.web.passon_dispatch != "now":
        return
    notifier_of(state).owed(directive_id)


def notify_mail_owed(state: Any) -> None:
    """After the commit of a write that queued mail outside any dispatch (a refusal's notice to the issuer, the
    notices of a dissolved unit's successor): the same `pass-on` run sends it."""
    if state.settings.web.passon_dispatch == "now":
        notifier_of(state).owed(None, mail=True)
