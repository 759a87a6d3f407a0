"""Wall time of a portal ingest against the same ffmpeg command run directly.

The portal's ingest probes the source, hashes and stores it, records the job, runs the
one-pass transcode while parsing ``-progress`` into the database, and publishes by renaming.
The baseline runs the very same ffmpeg command (built by ``app.videos.media.build_command``
for the same source and renditions) with nothing around it. Each round runs both, alternating
which goes first; the ratio printed is the median of the rounds' ratios. Goal: <= 1.05.

    python benchmarks/bench_video_ingest.py [--seconds 20] [--size 1280x720] [--rounds 3]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import time

import _video

TMP = _video.work_folder("bench-ingest-")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        print("ffmpeg is not installed: nothing to measure")
        return

    from app.videos import media, service

    app = _video.make_app(TMP)
    # A camera-quality file, quick to make.
    source = _video.make_source(
        TMP / "source.mp4", args.seconds, args.size, video=["-preset", "ultrafast", "-crf", "18"]
    )
    direct_dir = TMP / "direct"

    with app.app_context():
        info = media.probe(source)
        command = media.build_command(
            media.plan(source, direct_dir, info, service.renditions()),
            preset=app.config["VIDEO_X264_PRESET"],
            ffmpeg_bin=app.config["FFMPEG_BIN"],
        )

        def direct() -> float:
            shutil.rmtree(direct_dir, ignore_errors=True)
            direct_dir.mkdir(parents=True)
            cpu = children_cpu()
            began = time.perf_counter()
            subprocess.run(
                command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            elapsed = time.perf_counter() - began
            direct_cpu.append(children_cpu() - cpu)
            return elapsed

        def ingest() -> float:
            _video.clear(app)
            cpu = children_cpu() + own_cpu()
            began = time.perf_counter()
            video = service.ingest_path(source, wait=True)
            elapsed = time.perf_counter() - began
            ingest_cpu.append(children_cpu() + own_cpu() - cpu)
            assert video.is_published, video.jobs[-1].error_tail
            return elapsed

        direct_times, ingest_times, direct_cpu, ingest_cpu = [], [], [], []
        for index in range(args.rounds):
            # Alternate which goes first, so a machine getting busier or quieter favours neither.
            if index % 2 == 0:
                direct_times.append(direct())
                ingest_times.append(ingest())
            else:
                ingest_times.append(ingest())
                direct_times.append(direct())

    portal, baseline = statistics.median(ingest_times), statistics.median(direct_times)
    pair_ratios = [i / d for i, d in zip(ingest_times, direct_times, strict=True)]
    print(
        f"source: {args.seconds} s at {args.size}, renditions {', '.join(service_renditions(app))}, rounds: {args.rounds}"
    )
    print(
        f"ffmpeg run directly: {baseline:6.2f} s (median of {', '.join(f'{t:.2f}' for t in direct_times)})"
    )
    print(
        f"portal ingest:       {portal:6.2f} s (median of {', '.join(f'{t:.2f}' for t in ingest_times)})"
    )
    print(
        f"CPU time (ffmpeg, plus the portal's own for the ingest): direct {statistics.median(direct_cpu):.2f} s, "
        f"ingest {statistics.median(ingest_cpu):.2f} s, ratio {statistics.median(ingest_cpu) / statistics.median(direct_cpu):.3f}"
    )
    print(f"ratio per round: {', '.join(f'{r:.3f}' for r in pair_ratios)}")
    # On a shared machine other work slows some runs a lot and none much less: the best time of
    # each side is its least disturbed measurement.
    print(f"ratio of the best times: {min(ingest_times) / min(direct_times):.3f}")
    print(
        f"ratio (ingest / direct, median of rounds): {statistics.median(pair_ratios):.3f}  (goal <= 1.05)"
    )
    shutil.rmtree(TMP, ignore_errors=True)


def service_renditions(app) -> list[str]:
    return [f"{name}p" for name in app.config["VIDEO_RENDITIONS"]]


if __name__ == "__main__":
    main()
