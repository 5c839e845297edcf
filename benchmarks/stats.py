"""What the benchmarks' figures share."""


def percentile(values, fraction):
    """The value under which `fraction` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
