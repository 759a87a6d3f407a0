"""Time until a lesson is watchable: publishing a conforming source as it is (stream copy)
against the full transcode of the same file.

The source is an H.264/AAC MP4 at 1280x720, what the role-play renderer makes and what most
cameras and editors export. Both sides go through the portal's ingest (probe, hash, store, job
row, publish by renaming) with the settings `make run` uses:

- as is: ``ingest_path`` with the fast path on; it returns with 「標準」 published by stream
  copy (+faststart) and its poster, 「軽量」 held in the queue. The held 360p job is then run
  and timed on its own, for the total work.
- full transcode: the same ingest with ``VIDEO_PUBLISH_AS_IS`` off and ``wait=True``: one
  ffmpeg pass making 720p, 360p and the poster before anything is watchable.

Each round runs both, alternating which goes first; the ratios printed are medians of the
rounds' ratios. Goals: watchable ratio <= 0.05; total work ratio <= 1.0 (copying 「標準」
instead of encoding it must not cost more overall).

    python benchmarks/bench_video_publish.py [--seconds 30] [--size 1280x720] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

import _video

TMP = _video.work_folder("bench-publish-")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        print("ffmpeg is not installed: nothing to measure")
        return

    from app.videos import media, service, tasks
    from app.videos.models import JobState

    app = _video.make_app(TMP)
    # A delivery-grade file (about 2-3 Mb/s), as an editor or the renderer exports it.
    source = _video.make_source(
        TMP / "source.mp4",
        args.seconds,
        args.size,
        video=["-preset", "veryfast", "-crf", "23", "-maxrate", "3M", "-bufsize", "6M"],
        audio=["-b:a", "96k"],
    )
    held: list[int] = []
    tasks.transcode = held.append  # the queue holds 「軽量」 so that each part is timed on its own

    with app.app_context():
        mismatches = media.top_rendition_mismatches(
            media.probe(source),
            short_side=service.top_rendition()[1],
            max_kbps=app.config["VIDEO_COPY_MAX_KBPS"],
        )
        if mismatches:
            raise SystemExit(f"the benchmark source does not fit the top rendition: {mismatches}")

        def reset() -> None:
            _video.clear(app)
            held.clear()

        def as_is() -> tuple[float, float]:
            reset()
            app.config["VIDEO_PUBLISH_AS_IS"] = True
            began = time.perf_counter()
            video = service.ingest_path(source, wait=False)
            watchable = time.perf_counter() - began
            assert video.is_published and video.jobs[-1].stream_copied, video.jobs[-1].error_tail
            began = time.perf_counter()
            job = service.run_job(held[0])
            light = time.perf_counter() - began
            assert job.state == JobState.DONE, job.error_tail
            return watchable, light

        def full() -> float:
            reset()
            app.config["VIDEO_PUBLISH_AS_IS"] = False
            began = time.perf_counter()
            video = service.ingest_path(source, wait=True)
            elapsed = time.perf_counter() - began
            assert video.is_published and not video.jobs[-1].stream_copied, video.jobs[
                -1
            ].error_tail
            return elapsed

        publish_times, light_times, full_times = [], [], []
        for index in range(args.rounds):
            # Alternate which goes first, so a machine getting busier or quieter favours neither.
            if index % 2 == 0:
                full_times.append(full())
                publish, light = as_is()
            else:
                publish, light = as_is()
                full_times.append(full())
            publish_times.append(publish)
            light_times.append(light)

    watchable_ratios = [p / f for p, f in zip(publish_times, full_times, strict=True)]
    total_ratios = [
        (p + s) / f for p, s, f in zip(publish_times, light_times, full_times, strict=True)
    ]
    print(
        f"source: {args.seconds} s at {args.size}, H.264/AAC, {source.stat().st_size * 8 / args.seconds / 1000:.0f} kb/s; "
        f"preset {app.config['VIDEO_X264_PRESET']}; rounds: {args.rounds}"
    )
    print(
        f"full transcode (720p + 360p + poster):  {statistics.median(full_times):6.2f} s (median of {', '.join(f'{t:.2f}' for t in full_times)})"
    )
    print(
        f"published as is (copy + poster):        {statistics.median(publish_times):6.2f} s (median of {', '.join(f'{t:.2f}' for t in publish_times)})"
    )
    print(
        f"then 360p in the background:            {statistics.median(light_times):6.2f} s (median of {', '.join(f'{t:.2f}' for t in light_times)})"
    )
    print(
        f"ratio per round, watchable: {', '.join(f'{r:.3f}' for r in watchable_ratios)}; total: {', '.join(f'{r:.3f}' for r in total_ratios)}"
    )
    print(
        f"ratio (time until watchable, as is / full transcode, median of rounds): {statistics.median(watchable_ratios):.3f}  (goal <= 0.05)"
    )
    print(
        f"ratio (total work, as is + 360p / full transcode, median of rounds):    {statistics.median(total_ratios):.3f}  (goal <= 1.0)"
    )
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
