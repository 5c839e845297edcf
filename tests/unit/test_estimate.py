import pytest

from mydocker_hub.swarm.estimate import StartDurations, about, queue_message


def test_no_estimate_before_the_first_start():
    assert StartDurations().wait(3, 4) is None
    assert (
        queue_message(3, None)
        == "Many servers are starting: waiting in line (2 start(s) before yours)"
    )


@pytest.mark.parametrize(
    "position, slots, expected",
    [(1, 4, 10), (4, 4, 10), (5, 4, 20), (12, 4, 30), (3, 1, 30)],
    ids=["next", "last-of-first-round", "second-round", "third-round", "one-slot"],
)
def test_the_wait_counts_rounds_of_the_median_start(position, slots, expected):
    durations = StartDurations()
    for seconds in (9, 10, 30, 10, 11):  # the median ignores one slow start
        durations.record(seconds)
    assert durations.wait(position, slots) == expected


def test_only_recent_starts_count():
    durations = StartDurations(keep=3)
    for seconds in (100, 100, 100, 5, 5, 5):
        durations.record(seconds)
    assert durations.typical() == 5


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0.4, "about 5 s"),
        (18, "about 20 s"),
        (42, "about 40 s"),
        (95, "about 2 min"),
        (600, "about 10 min"),
    ],
)
def test_durations_read_as_a_student_says_them(seconds, text):
    assert about(seconds) == text


def test_the_queue_message_says_the_place_and_the_expected_wait():
    assert (
        queue_message(1, 19)
        == "Many servers are starting: waiting in line (yours is next, about 20 s)"
    )
    assert queue_message(9, 130).endswith("(8 start(s) before yours, about 2 min)")
