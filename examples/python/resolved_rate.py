#!/usr/bin/env python3
"""Resolved-rate control of a robot's tool through the kinematics service, at a fixed rate.

Every control period (10 ms at the default 100 Hz) the loop sends the current joint positions and
the desired tool twist to POST /robots/{robot}/ik/velocity, and integrates the joint velocities it
gets back: q += qdot * dt. The desired motion is a circle in the base x-y plane (radius 2 cm by
default) through the tool's starting position, with a constant orientation. At the end the script
prints the achieved loop rate, the request latencies (p50, p99, max), how many commands the service
scaled down (status other than "ok": near a singularity or a joint limit) and how far the final
tool pose, from POST /robots/{robot}/fk, is from the ideal circle.

The loop keeps time with a monotonic clock and sleeps until the start of the next period on a fixed
schedule (period k starts at start + k * dt), so request latencies do not make it drift; a period
that starts late is counted. One persistent HTTP/1.1 connection (keep-alive, TCP_NODELAY) carries
every request. Python 3.8+ standard library only.

    python3 examples/python/resolved_rate.py --base-url http://127.0.0.1:8080 --seconds 5

Exit code 0 on success, 1 when a request fails (HTTP error or no connection), 2 on bad arguments.
"""

import argparse
import http.client
import json
import math
import socket
import sys
import time
from urllib.parse import urlsplit

# a well-conditioned UR5e configuration (the examples of openapi/openapi.json)
UR5E_Q = [0.0, -1.2, 1.5, -1.9, -1.57, 0.0]


class ApiError(Exception):
    """A request that failed: an HTTP error status, or no usable connection."""


class Client:
    """JSON over one persistent HTTP/1.1 connection, reconnecting when the server closes it."""

    def __init__(self, base_url, timeout=10.0):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--base-url must be an http:// or https:// URL, not {base_url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._conn = None

    def _connect(self):
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=self._timeout)
        conn.connect()
        # small requests go out at once instead of waiting for the previous segment's ACK
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._conn = conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def call(self, method, path, body=None):
        """Sends a request and returns the decoded JSON body; raises ApiError on failure."""
        payload = None if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers = {"accept": "application/json"}
        if payload is not None:
            headers["content-type"] = "application/json"
        for attempt in (1, 2):
            try:
                if self._conn is None:
                    self._connect()
                self._conn.request(method, self._prefix + path, body=payload, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                # the server closed the kept-alive connection (idle timeout, or a replica draining
                # on shutdown): every call made here is a pure computation, so send it once more
                self.close()
                if attempt == 2:
                    raise ApiError(f"{method} {path}: connection lost: {error}") from error
            except OSError as error:
                self.close()
                raise ApiError(f"{method} {path}: {error}") from error
        if response.will_close:
            self.close()
        if response.status >= 300:
            detail = data.decode("utf-8", "replace")
            try:
                detail = json.loads(detail).get("detail", detail)
            except ValueError:
                pass
            raise ApiError(f"{method} {path}: HTTP {response.status}: {detail}")
        try:
            return json.loads(data)
        except ValueError as error:
            raise ApiError(f"{method} {path}: the response is not JSON: {error}") from error


def percentile(sorted_values, p):
    """The nearest-rank percentile p (0..100) of an ascending list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8080", help="the service (default %(default)s)")
    parser.add_argument("--robot", default="ur5e", help="robot id (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run (default %(default)s)")
    parser.add_argument("--rate", type=float, default=100.0, help="control rate in Hz (default %(default)s)")
    parser.add_argument("--radius", type=float, default=0.02, help="circle radius in m (default %(default)s)")
    parser.add_argument("--circle-period", type=float, default=2.0,
                        help="seconds per turn of the circle (default %(default)s)")
    parser.add_argument("--q0", help="start configuration, comma-separated in active-joint order "
                                     "(default: the UR5e example configuration for ur5e, else the middle of the limits)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.rate <= 0 or args.rate > 10_000 or args.radius < 0 or args.circle_period <= 0:
        parser.error("--seconds, --rate (at most 10000), --circle-period must be positive and --radius >= 0")
    if args.q0 is not None:
        try:
            args.q0 = [float(v) for v in args.q0.split(",")]
        except ValueError:
            parser.error(f"--q0 must be comma-separated numbers, not {args.q0!r}")
    return args


def start_configuration(args, robot):
    if args.q0 is not None:
        if len(args.q0) != robot["dof"]:
            raise ApiError(f"--q0 has {len(args.q0)} values; {args.robot} has {robot['dof']} active joints")
        return list(args.q0)
    if args.robot == "ur5e":
        return list(UR5E_Q)
    q = []
    for joint in robot["joints"]:
        limits = joint.get("limits", {})
        lower, upper = limits.get("lower"), limits.get("upper")
        q.append((lower + upper) / 2 if lower is not None and upper is not None else 0.0)
    return q


def tool_pose(client, robot_id, tip, q):
    pose = client.call("POST", f"/robots/{robot_id}/fk", {"q": q, "links": [tip]})["poses"][tip]
    return pose["position"], pose["quaternion"]


def run(args):
    client = Client(args.base_url)
    robot = client.call("GET", f"/robots/{args.robot}")
    tip = robot.get("defaultTip")
    if not tip:
        raise ApiError(f"{args.robot} has no default tip (a tree): this example drives single chains")
    q = start_configuration(args, robot)
    p0, quat0 = tool_pose(client, args.robot, tip, q)

    dt = 1.0 / args.rate
    ticks = max(2, round(args.seconds * args.rate))
    omega = 2 * math.pi / args.circle_period
    # the circle passes through p0 at t = 0: centre one radius along -x
    centre = [p0[0] - args.radius, p0[1], p0[2]]

    def circle(t):
        return [centre[0] + args.radius * math.cos(omega * t), centre[1] + args.radius * math.sin(omega * t), centre[2]]

    print(f"robot {args.robot}, tip {tip}: {ticks} periods of {dt * 1000:g} ms ({args.rate:g} Hz), "
          f"circle of radius {args.radius * 1000:g} mm in the base x-y plane, {args.circle_period:g} s per turn")

    path = f"/robots/{args.robot}/ik/velocity"
    latencies = []
    starts = []
    statuses = {}
    late = 0
    start = time.monotonic()
    for k in range(ticks):
        deadline = start + k * dt
        now = time.monotonic()
        if now < deadline:
            time.sleep(deadline - now)
        elif now - deadline > dt:
            late += 1  # the previous period overran this one's start; catch up without drifting
        starts.append(time.monotonic())
        # the chord of the circle over this period as the linear velocity: integrating it over dt
        # lands exactly on the circle's next point (for a linear model)
        here, there = circle(k * dt), circle((k + 1) * dt)
        twist = {"linear": [(b - a) / dt for a, b in zip(here, there)], "angular": [0.0, 0.0, 0.0]}
        sent = time.perf_counter()
        answer = client.call("POST", path, {"q": q, "twist": twist, "dt": dt, "tip": tip})
        latencies.append((time.perf_counter() - sent) * 1000)
        statuses[answer["status"]] = statuses.get(answer["status"], 0) + 1
        q = [qi + qdi * dt for qi, qdi in zip(q, answer["qdot"])]
    elapsed = starts[-1] - starts[0]

    position, quaternion = tool_pose(client, args.robot, tip, q)
    client.close()
    ideal = circle(ticks * dt)
    drift_mm = math.dist(position, ideal) * 1000
    dot = min(1.0, abs(sum(a * b for a, b in zip(quat0, quaternion))))
    orientation_drift_mrad = 2 * math.acos(dot) * 1000

    latencies.sort()
    scaled = ticks - statuses.get("ok", 0)
    others = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()) if status != "ok")
    print(f"loop rate: {(ticks - 1) / elapsed:.2f} Hz over {elapsed:.3f} s "
          f"({ticks} requests, {late} periods started more than a period late)")
    print(f"latency: p50 {percentile(latencies, 50):.2f} ms, p99 {percentile(latencies, 99):.2f} ms, "
          f"max {latencies[-1]:.2f} ms")
    print(f"scaled commands: {scaled} of {ticks} (status != ok){f' ({others})' if others else ''}")
    print(f"final drift: {drift_mm:.3f} mm from the ideal circle, orientation {orientation_drift_mrad:.3f} mrad")
    return 0


def main(argv=None):
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
