"""The check every provider's battery ends with: a burst of correctly signed deliveries, each
to be acknowledged within the provider's deadline."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .base import Battery, Found, is_slow, no_carrier, percentile, show

__all__ = ["under_load"]


def under_load(b: Battery) -> Found:
    b.establish_baseline()
    name = b.carrier
    if name is None:
        return Found(None, no_carrier(b))
    events = [b.event(name) for _ in range(b.concurrency)]
    if b.in_process:
        # An in-process application is called on the caller's thread, as a test expects (its
        # database connection, its transaction); concurrency needs a server in front of it.
        deliveries = [b.deliver(e) for e in events]
        how = (
            f"{len(events)} correctly signed {name} back to back on the calling thread "
            "(in-process; check a URL for concurrent deliveries)"
        )
    else:
        with ThreadPoolExecutor(max_workers=b.concurrency) as pool:
            deliveries = list(pool.map(b.deliver, events))
        how = f"{len(events)} correctly signed {name} at once"
    times = sorted(d.elapsed for d in deliveries)
    b.latencies += [d.elapsed for d in deliveries if d.acknowledged]
    figures = (
        f"p50 {percentile(times, 50) * 1000:.0f} ms, p95 {percentile(times, 95) * 1000:.0f} ms"
    )
    failed = [d for d in deliveries if not d.acknowledged]
    if not failed:
        return Found(True, f"{how}: all acknowledged; {figures}")
    slow = [d for d in failed if is_slow(d)]
    other = [d for d in failed if not is_slow(d)]
    lines = [f"sent: {how}; {figures}"]
    if slow:
        lines.append(f"{len(slow)} not answered within the {slow[0].deadline:g} s deadline")
    if other:
        lines.append(f"{len(other)} answered but not acknowledged (not a matter of time)")
    lines += [f"problem: {show(d)}" for d in failed[:5]]
    lines.append(
        f"a correct receiver acknowledges each within {deliveries[0].deadline:g} s under load"
    )
    if slow:
        lines.append(
            "likely cause: the work happens before the answer; acknowledge first, queue it"
        )
    return Found(False, "\n".join(lines))
