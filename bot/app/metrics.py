"""GET /metrics in Prometheus's text format, read from the delivery log that every process shares.

Counters live in the log rather than in one process's memory: the web process serves the
page, while jobs run in worker processes (and their children) on any machine. The job runner
adds what each job's GitHub client counted, once per job, with `count_github_use(settings, ...)`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from bot.app.redis_log import AnyLog, open_log
from bot.app.settings import Settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0)
GITHUB_REQUESTS = "github_requests"
RATE_LIMIT_WAITS = "github_rate_limit_waits"
RATE_LIMIT_WAIT_SECONDS = "github_rate_limit_wait_seconds"


def count_github_use(settings: Settings, requests: int, waits: int = 0, seconds: float = 0.0) -> None:
    """For the job code: `requests` more requests sent to GitHub, and `waits` more waits for its rate limit
    of `seconds` in all; the log is opened once, and only counters that grow are written."""
    if not (requests or waits):
        return
    log = open_log(settings)
    if requests:
        log.add_to_counter(GITHUB_REQUESTS, requests)
    if waits:
        log.add_to_counter(RATE_LIMIT_WAITS, waits)
        log.add_to_counter(RATE_LIMIT_WAIT_SECONDS, seconds)


class LogCollector(Collector):
    """Deliveries by event and status, job durations, queue depth, log size, GitHub counters."""

    def __init__(self, log: AnyLog, depth: Callable[[], int]) -> None:
        self.log, self.depth = log, depth

    def collect(self) -> Iterator:
        deliveries = GaugeMetricFamily("docbot_deliveries", "Deliveries in the log by event and status",
                                       labels=["event", "status"])
        for (event, status), count in sorted(self.log.counts_by_event().items()):
            deliveries.add_metric([event, status], count)
        yield deliveries
        yield _histogram(self.log.durations())
        try:
            yield GaugeMetricFamily("docbot_queue_depth", "Tasks waiting in the queue", value=self.depth())
        except Exception:  # noqa: BLE001 - a queue that cannot be read has no depth to show
            pass
        size = self.log.size()
        yield GaugeMetricFamily("docbot_delivery_log_rows", "Rows in the delivery log", value=size["rows"])
        yield GaugeMetricFamily("docbot_delivery_log_bytes", "Bytes of the delivery log", value=size["bytes"])
        counters = self.log.counters()
        for name, doc in ((GITHUB_REQUESTS, "Requests sent to GitHub"),
                          (RATE_LIMIT_WAITS, "Waits for GitHub's rate limit"),
                          (RATE_LIMIT_WAIT_SECONDS, "Seconds waited for GitHub's rate limit")):
            yield CounterMetricFamily(f"docbot_{name}", doc, value=counters.get(name, 0.0))


def _histogram(durations: list[float]) -> HistogramMetricFamily:
    ordered = sorted(durations)
    buckets = [(f"{bound:g}", bisect.bisect_right(ordered, bound)) for bound in BUCKETS]
    buckets.append(("+Inf", len(ordered)))
    return HistogramMetricFamily("docbot_job_duration_seconds", "Duration of the newest jobs' last attempt",
                                 buckets=buckets, sum_value=sum(ordered))


def registry_for(log: AnyLog, depth: Callable[[], int]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LogCollector(log, depth))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
