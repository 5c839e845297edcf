"""The Dockerfile a new image starts with: the offered image and commented examples.

A teacher who is not a Docker expert learns faster by uncommenting a line
than from an empty editor. The text builds as it is (only FROM and the two
USER lines are active), passes `plan.check_dockerfile`, and ends with
``USER student``: an image that runs as root is refused at start, and the
usual mistake is to switch to root for pip or apt and never switch back.
Pure function; comments in the portal's languages (English by default).
"""

_COMMENTS = {
    "en": (
        "# Install packages as root (remove the # of the lines you want).\n",
        "# System packages:\n",
        "# Python packages, for JupyterLab's kernel:\n",
        "# Folder course/ of your archive, into each student's home (only at their first start):\n",
        "# Or into /opt/course, updated by every build, read-only for students:\n",
        "# Keep this line last: the platform refuses an image that runs as root.\n",
    ),
    "fr": (
        "# Installer des paquets en tant que root (enlevez le # des lignes voulues).\n",
        "# Paquets du système :\n",
        "# Paquets Python, pour le noyau de JupyterLab :\n",
        "# Dossier course/ de votre archive, copié chez chaque étudiant "
        "à son premier démarrage :\n",
        "# Ou dans /opt/course, mis à jour à chaque build, en lecture seule pour les étudiants :\n",
        "# Gardez cette ligne en dernier : la plateforme refuse une image qui tourne en root.\n",
    ),
}


def starter_dockerfile(base_image, lang="en"):
    """A short commented Dockerfile ``FROM base_image``; comments in `lang` ("en" or "fr")."""
    install, apt, pip, home, opt, last = _COMMENTS.get(lang, _COMMENTS["en"])
    return (
        f"FROM {base_image}\n"
        "\n"
        f"{install}"
        "USER root\n"
        "\n"
        f"{apt}"
        "# RUN apt-get update \\\n"
        "#  && apt-get install -y --no-install-recommends graphviz \\\n"
        "#  && rm -rf /var/lib/apt/lists/*\n"
        "\n"
        f"{pip}"
        "# RUN pip install --no-cache-dir pandas matplotlib\n"
        "\n"
        f"{home}"
        "# COPY --chown=student:student course/ /home/student/course/\n"
        "\n"
        f"{opt}"
        "# COPY course/ /opt/course/\n"
        "\n"
        f"{last}"
        "USER student\n"
    )
