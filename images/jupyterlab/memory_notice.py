# Run in every new kernel (see ipython_kernel_config.py): when the previous
# kernel was killed for using more memory than the environment allows, the
# first cell the student runs says so, instead of a bare "kernel died".
def _mydocker_memory_notice():

    def read(*paths):
        for path in paths:
            try:
                with open(path) as f:
                    return f.read()
            except OSError:
                continue
        return ""

    events = read("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control")
    kills = 0
    for line in events.splitlines():
        if line.startswith("oom_kill "):
            kills = int(line.split()[1])
    limit = read("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes").strip()
    seen_file = "/tmp/.mydocker-oom-kills"
    seen = int(read(seen_file).strip() or 0)
    with open(seen_file, "w") as f:
        f.write(str(kills))
    if kills <= seen:
        return
    size = f" ({int(limit) / 2**20:.0f} MB)" if limit.isdigit() else ""
    message = (
        "Your previous kernel was stopped: it used more memory than this environment "
        f"allows{size}. Work on smaller data, or free memory (del big variables).\n"
        "Votre noyau précédent a été arrêté : il utilisait plus de mémoire que cet "
        f"environnement n'en permet{size}. Travaillez sur moins de données ou libérez "
        "de la mémoire (del des grosses variables).\n"
    )
    shell = get_ipython()  # noqa: F821 (given to startup files by IPython)

    def notice(*args):
        import sys

        shell.events.unregister("pre_run_cell", notice)
        print(message, file=sys.stderr)

    shell.events.register("pre_run_cell", notice)


_mydocker_memory_notice()
del _mydocker_memory_notice
