#!/usr/bin/env python3
"""Calibrates a robot from a CSV of joint readings and measured tip positions (a laser tracker's).

The CSV has a header: one column per active joint (named as in GET /robots/{id}), then x, y, z
of the measured point in the base frame (metres). Every fifth row is held out and judged, not
fitted. The calibrated URDF is written to --output, and with --save-as registered in the service.

    python3 examples/calibration/calibrate_from_csv.py --base-url http://127.0.0.1:8080 \\
        --robot ur5e --csv examples/calibration/ur5e_tracker.csv --output ur5e_calibrated.urdf --save-as ur5e_cell3

Python standard library only.
"""
import argparse
import csv
import json
import sys
import urllib.error
import urllib.request


def call(base_url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(base_url + path, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        problem = error.read().decode("utf-8", "replace")
        sys.stderr.write(f"error: {method} {path}: HTTP {error.code}: {problem}\n")
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    parser.add_argument("--robot", default="ur5e")
    parser.add_argument("--csv", required=True)
    parser.add_argument("--output", required=True, help="where to write the calibrated URDF")
    parser.add_argument("--save-as", help="also register the calibrated robot under this id")
    args = parser.parse_args()

    robot = call(args.base_url, "GET", f"/robots/{args.robot}")
    with open(args.csv, newline="") as f:
        rows = list(csv.DictReader(f))
    samples = []
    for row in rows:
        q = {name: float(row[name]) for name in (j["name"] for j in robot["joints"])}
        samples.append({"q": q, "position": [float(row["x"]), float(row["y"]), float(row["z"])]})
    fit = [s for i, s in enumerate(samples) if i % 5 != 4]
    holdout = [s for i, s in enumerate(samples) if i % 5 == 4]
    body = {"samples": fit, "holdout": holdout}
    if args.save_as:
        body["saveAs"] = args.save_as
    result = call(args.base_url, "POST", f"/robots/{args.robot}/calibrate", body)

    mm = lambda metres: f"{metres * 1000:.3f} mm"
    estimated = [p for p in result["parameters"] if p["identifiable"]]
    print(f"robot {args.robot}, tip {result['tip']}: {len(fit)} positions fitted, {len(holdout)} held out")
    print(f"estimated {len(estimated)} of {len(result['parameters'])} parameters "
          f"({'converged' if result['converged'] else 'not converged'} in {result['iterations']} iterations)")
    for name, r in (("fitted", result["residual"]), ("held out", result["holdout"])):
        print(f"{name}: RMS {mm(r['before']['positionRms'])} -> {mm(r['after']['positionRms'])}, "
              f"max {mm(r['before']['positionMax'])} -> {mm(r['after']['positionMax'])}")
    largest = sorted(estimated, key=lambda p: -abs(p["estimate"]) / (p.get("stdError") or 1))[:3]
    for p in largest:
        print(f"  {p['joint']} {p['kind']}: {p['estimate']:+.6f} ± {p.get('stdError', 0):.6f}")
    with open(args.output, "w") as f:
        f.write(result["urdf"])
    print(f"calibrated URDF written to {args.output}")
    if args.save_as:
        print(f"registered as {result['robot']['id']}")


if __name__ == "__main__":
    main()
