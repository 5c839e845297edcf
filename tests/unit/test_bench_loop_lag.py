from benchmarks import loop_lag

PAGE = """# HELP jupyterhub_event_loop_interval_seconds Distribution of measured intervals
# TYPE jupyterhub_event_loop_interval_seconds histogram
jupyterhub_event_loop_interval_seconds_bucket{{le="0.05"}} {a}
jupyterhub_event_loop_interval_seconds_bucket{{le="0.1"}} {b}
jupyterhub_event_loop_interval_seconds_bucket{{le="0.25"}} {c}
jupyterhub_event_loop_interval_seconds_bucket{{le="0.5"}} {d}
jupyterhub_event_loop_interval_seconds_bucket{{le="1.0"}} {e}
jupyterhub_event_loop_interval_seconds_bucket{{le="+Inf"}} {f}
jupyterhub_event_loop_interval_seconds_count {f}
"""


def page(*counts):
    return PAGE.format(**dict(zip("abcdef", (f"{c}.0" for c in counts), strict=True)))


def test_the_blocks_of_a_storm_are_counted_by_length_between_two_scrapes():
    before = loop_lag.buckets(page(100, 100, 100, 100, 100, 100))
    # During the storm: 50 ticks on time, 3 blocks of 0.1-0.25 s, 2 of 0.25-0.5 s, 1 over 1 s.
    after = loop_lag.buckets(page(150, 150, 153, 155, 155, 156))
    assert loop_lag.blocks_over(before, after) == {"0.1": 6, "0.25": 3, "0.5": 1, "1.0": 1}


def test_a_page_without_the_histogram_gives_no_buckets():
    assert loop_lag.buckets("# nothing here\nother_metric 1.0\n") == {}
