#!/usr/bin/env python3
"""Resolved-rate control over the control stream: resolved_rate.py's loop on one WebSocket session.

The same circle as resolved_rate.py, but every period's command goes over one open session of
GET /robots/{robot}/stream instead of a POST: configure once (mode velocity, dt, tip), then per
period {"type": "command", seq, q, twist} answered by {"type": "result", seq, qdot, ...}. The
service commands this loop; the loop (here, in a real controller the robot's real-time loop)
integrates q += qdot * dt and keeps time itself. The summary adds the commands the service skipped
(latest wins) and the halts of its watchdog.

Needs the `websockets` package (Debian: python3-websockets; version 10 or later):

    python3 examples/python/stream_resolved_rate.py --base-url http://127.0.0.1:8080 --seconds 5 --rate 250

Exit code 0 on success, 1 when the service refuses or fails, 2 on bad arguments or without websockets.
"""

import asyncio
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resolved_rate import ApiError, Client, parse_args, percentile, start_configuration, tool_pose  # noqa: E402

try:
    import websockets
except ImportError:  # pragma: no cover - depends on the machine
    websockets = None


async def stream_loop(args, robot, tip, q, circle):
    dt = 1.0 / args.rate
    ticks = max(2, round(args.seconds * args.rate))
    url = args.base_url.replace("http", "ws", 1).rstrip("/") + f"/robots/{args.robot}/stream"
    latencies, statuses = [], {}
    skipped = halts = late = 0
    async with websockets.connect(url, compression=None, max_size=2**20) as session:
        # a missed period or two must not stop the robot: the watchdog at 5 periods (at least 20 ms)
        await session.send(json.dumps({"type": "configure", "mode": "velocity", "tip": tip, "dt": dt,
                                       "commandTimeoutMs": max(20, round(5000 * dt))}))
        configured = json.loads(await session.recv())
        if configured.get("type") != "configured":
            raise ApiError(f"configure refused: {configured.get('problem', {}).get('detail', configured)}")
        start = time.monotonic()
        for k in range(ticks):
            deadline = start + k * dt
            now = time.monotonic()
            if now < deadline:
                await asyncio.sleep(deadline - now)
            elif now - deadline > dt:
                late += 1
            here, there = circle(k * dt), circle((k + 1) * dt)
            twist = {"linear": [(b - a) / dt for a, b in zip(here, there)], "angular": [0.0, 0.0, 0.0]}
            sent = time.perf_counter()
            await session.send(json.dumps({"type": "command", "seq": k, "q": q, "twist": twist}, separators=(",", ":")))
            while True:
                frame = json.loads(await session.recv())
                if frame["type"] == "halt":
                    halts += 1
                    continue
                if frame["type"] == "error":
                    raise ApiError(f"command {frame.get('seq')}: {frame['problem']['detail']}")
                if frame["seq"] == k:
                    break
            latencies.append((time.perf_counter() - sent) * 1000)
            skipped += len(frame.get("skipped", []))
            statuses[frame["status"]] = statuses.get(frame["status"], 0) + 1
            q = [qi + qdi * dt for qi, qdi in zip(q, frame["qdot"])]
        elapsed = time.monotonic() - start
    return q, ticks, elapsed, latencies, statuses, skipped, halts, late


def run(args):
    client = Client(args.base_url)
    robot = client.call("GET", f"/robots/{args.robot}")
    tip = robot.get("defaultTip")
    if not tip:
        raise ApiError(f"{args.robot} has no default tip (a tree): this example drives single chains")
    q = start_configuration(args, robot)
    p0, quat0 = tool_pose(client, args.robot, tip, q)
    dt = 1.0 / args.rate
    omega = 2 * math.pi / args.circle_period
    centre = [p0[0] - args.radius, p0[1], p0[2]]

    def circle(t):
        return [centre[0] + args.radius * math.cos(omega * t), centre[1] + args.radius * math.sin(omega * t), centre[2]]

    print(f"robot {args.robot}, tip {tip}: stream session, {dt * 1000:g} ms periods ({args.rate:g} Hz), "
          f"circle of radius {args.radius * 1000:g} mm, {args.circle_period:g} s per turn")
    try:
        q, ticks, elapsed, latencies, statuses, skipped, halts, late = asyncio.run(stream_loop(args, robot, tip, q, circle))
    except (OSError, websockets.exceptions.WebSocketException) as error:
        raise ApiError(f"stream: {error}") from error
    position, quaternion = tool_pose(client, args.robot, tip, q)
    client.close()
    drift_mm = math.dist(position, circle(ticks * dt)) * 1000
    dot = min(1.0, abs(sum(a * b for a, b in zip(quat0, quaternion))))
    latencies.sort()
    print(f"loop rate: {ticks / elapsed:.2f} Hz over {elapsed:.3f} s ({ticks} commands, {late} periods started more than a period late)")
    print(f"latency: p50 {percentile(latencies, 50):.2f} ms, p99 {percentile(latencies, 99):.2f} ms, max {latencies[-1]:.2f} ms")
    print(f"scaled commands: {ticks - statuses.get('ok', 0)} of {ticks} (status != ok)")
    print(f"skipped commands: {skipped}, halts: {halts}")
    print(f"final drift: {drift_mm:.3f} mm from the ideal circle, orientation {2 * math.acos(dot) * 1000:.3f} mrad")
    return 0


def main(argv=None):
    if websockets is None:
        print("error: this example needs the websockets package (Debian: apt install python3-websockets; or pip install websockets)",
              file=sys.stderr)
        return 2
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
