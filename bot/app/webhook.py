"""The webhook server: verify, record, enqueue, answer 202 (it never calls GitHub)."""

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from bot.app import metrics, status
from bot.app.events import Ignored, Job, route
from bot.app.queue import DeliveryQueue
from bot.app.redis_log import AnyLog
from bot.app.settings import Settings
from bot.app.signature import verify
from bot.errors import WebhookError

logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
Answer = tuple[dict, int]
STRANDED_AFTER = 20.0  # seconds: younger queued deliveries may still be on their way into the queue
_HEADER_VALUE = re.compile(r"[\x21-\x7e]{1,200}")


class WebhookReceiver:
    """The POST /webhook logic, apart from Flask: request in, (JSON body, status) out."""

    def __init__(
        self,
        secret: bytes,
        log: AnyLog,
        enqueue: Callable[[str], object],
        waiting: Callable[[], set[str]] = set,
    ) -> None:
        self._secret = secret
        self.log = log
        self.enqueue = enqueue
        self.waiting = waiting  # ids a queued task will run (asked only on a redelivery)

    def __repr__(self) -> str:
        return f"WebhookReceiver(log={self.log.where!r})"

    def receive(self, req: Request) -> Answer:
        """Handle one delivery; the body is read once, as raw bytes."""
        body = req.get_data(cache=False)
        if not verify(self._secret, body, req.headers.get("X-Hub-Signature-256")):
            logger.warning("rejected a delivery with a missing or wrong signature")
            return {"error": "invalid or missing X-Hub-Signature-256"}, 401
        event = req.headers.get("X-GitHub-Event", "")
        delivery_id = req.headers.get("X-GitHub-Delivery", "")
        if not event or not delivery_id:
            return {"error": "X-GitHub-Event and X-GitHub-Delivery are required"}, 400
        if not (_HEADER_VALUE.fullmatch(event) and _HEADER_VALUE.fullmatch(delivery_id)):
            return {"error": "X-GitHub-Event and X-GitHub-Delivery must be short printable ASCII"}, 400
        try:
            payload = parse(body)
            routed = route(event, payload, delivery_id=delivery_id)
        except WebhookError as exc:
            logger.warning("delivery %s: rejected: %s", delivery_id, exc)
            return {"error": str(exc)}, 400
        action = payload.get("action") if isinstance(payload.get("action"), str) else None
        action = action if action is None or _HEADER_VALUE.fullmatch(action) else None
        if isinstance(routed, Ignored):
            self.log.record(delivery_id, event, action, b"", status="ignored", error=routed.reason)
            logger.info("delivery %s: %s ignored: %s", delivery_id, event, routed.reason)
            return {"status": "ignored", "reason": routed.reason, "delivery": delivery_id}, 202
        return self._accept(routed, event, action, body)

    def _accept(self, job: Job, event: str, action: str | None, body: bytes) -> Answer:
        """Record a delivery that becomes a job and enqueue it; a redelivery only when it failed or is stranded."""
        delivery_id = job.delivery_id
        if not self.log.record(delivery_id, event, action, body, repo=job.repo, pr_number=job.pr_number):
            if self.log.reopen_failed(delivery_id, body):
                logger.info("delivery %s: redelivery of a failed delivery, queued again", delivery_id)
            elif not self._stranded(delivery_id):
                logger.info("delivery %s: already recorded, not enqueued again", delivery_id)
                return {"status": "duplicate", "delivery": delivery_id}, 202
        try:
            self.enqueue(delivery_id)
        except Exception as exc:  # noqa: BLE001 - recorded as queued: a worker's sweep enqueues it
            logger.error("delivery %s: recorded, but the queue refused it: %s: %s", delivery_id,
                         type(exc).__name__, exc)
            answer = {"status": "recorded", "delivery": delivery_id, "error": "queue unavailable"}
            return answer, 503
        logger.info("delivery %s: %s.%s queued", delivery_id, event, action)
        return {"status": "queued", "delivery": delivery_id}, 202

    def _stranded(self, delivery_id: str) -> bool:
        """A queued delivery that no task will run (the server died between recording and enqueueing)."""
        return delivery_id in self.log.stranded(STRANDED_AFTER, only=delivery_id) and delivery_id not in self.waiting()


def parse(body: bytes) -> dict[str, Any]:
    """The payload as a JSON object; WebhookError with the reason for anything else."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise WebhookError("the body is nested too deeply") from None
    except ValueError:
        raise WebhookError("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise WebhookError("the payload is not a JSON object")
    return payload


def create_app(
    settings: Settings | None = None, *, enqueue: Callable[[str], object] | None = None
) -> Flask:
    """The Flask app; ConfigError when GITHUB_WEBHOOK_SECRET is missing.

    `enqueue(delivery_id)` replaces the hand-over to the Huey task run_delivery.
    """
    settings = Settings.from_env() if settings is None else settings
    secret = settings.require_webhook_secret()
    queue = DeliveryQueue(settings)
    receiver = WebhookReceiver(secret, queue.log, enqueue or queue.enqueue, queue.waiting)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_PAYLOAD_BYTES

    @app.post("/webhook")
    def webhook():
        answer, status = receiver.receive(request)
        return jsonify(answer), status

    @app.get("/healthz")
    def healthz():
        answer, status = health(queue)
        return jsonify(answer), status

    registry = metrics.registry_for(queue.log, queue.depth)

    @app.get("/metrics")
    def prometheus():
        return metrics.render(registry), 200, {"Content-Type": metrics.CONTENT_TYPE}

    @app.get("/status")
    def status_page():
        if not status.authorized(settings, request.headers.get("Authorization")):
            return "401 Unauthorized: this page needs Authorization: Bearer $DOCBOT_ADMIN_TOKEN\n", 401, {
                "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": "Bearer"}
        try:
            depth = queue.depth()
        except Exception:  # noqa: BLE001 - the page still shows the log
            depth = None
        rows = request.args.get("rows", "")
        page = status.render_status(settings, queue.log, depth, int(rows) if rows.isdigit() else status.DEFAULT_ROWS)
        return page, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge):
        logger.warning("rejected a body over %d bytes", MAX_PAYLOAD_BYTES)
        return jsonify({"error": f"payload over {MAX_PAYLOAD_BYTES} bytes"}), 413

    app.extensions["docbot"] = receiver
    return app


def health(queue: DeliveryQueue) -> Answer:
    """Liveness plus the queue depth and the deliveries per status; 503 if the queue is down."""
    deliveries = queue.log.counts()
    log_size = queue.log.size() | {"retention_days": queue.settings.retention_days}
    try:
        depth = queue.depth()
    except Exception as exc:  # noqa: BLE001 - any failure of the queue's storage
        logger.error("healthz: the queue cannot be read: %s: %s", type(exc).__name__, exc)
        answer = {"status": "queue unavailable", "queue_depth": None, "deliveries": deliveries, "log": log_size}
        return answer, 503
    return {"status": "ok", "queue_depth": depth, "deliveries": deliveries, "log": log_size}, 200


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """The development server (production: gunicorn bot.wsgi:app); needs the webhook secret."""
    app = create_app(settings)
    logger.info("serving webhooks on http://%s:%d/webhook", host, port)
    app.run(host=host, port=port, threaded=True, use_reloader=False)
