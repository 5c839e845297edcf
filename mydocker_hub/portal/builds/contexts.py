"""Where an image's build context lives: a folder of the hub's data, replaced whole.

``IMAGES_DIR/NAME/context`` holds the files of the teacher's last upload. A
new upload is saved beside it, checked and extracted into a fresh folder
(`archive.extract`), then swapped in with renames: a refused or interrupted
upload leaves the previous context as it was. Blocking code, for a thread.
"""

import os
import shutil
import tempfile

from . import archive

CONTEXT = "context"


class ContextStore:
    """The build contexts of every image, under `root`."""

    def __init__(self, root, limits=None):
        self.root = root
        self.limits = limits or archive.Limits()

    def folder(self, image_name):
        """The image's context folder (it may not exist: no upload yet)."""
        return os.path.join(self.root, image_name, CONTEXT)

    def new_upload(self, image_name):
        """An open temporary file beside the context, to write an upload into."""
        directory = os.path.join(self.root, image_name)
        os.makedirs(directory, mode=0o750, exist_ok=True)
        return tempfile.NamedTemporaryFile(dir=directory, prefix="upload-", delete=False)

    def replace(self, image_name, upload_path):
        """Extract the archive at `upload_path` as the image's new context; its members.

        Raises `archive.ArchiveRefused` and keeps the old context when the
        archive is refused. The upload file is removed in every case.
        """
        directory = os.path.join(self.root, image_name)
        fresh = tempfile.mkdtemp(dir=directory, prefix="new-")
        try:
            members = archive.extract(upload_path, fresh, self.limits)
            current = self.folder(image_name)
            old = None
            if os.path.isdir(current):
                old = tempfile.mkdtemp(dir=directory, prefix="old-")
                os.rename(current, os.path.join(old, CONTEXT))
            os.rename(fresh, current)
            fresh = None
            if old:
                shutil.rmtree(old, ignore_errors=True)
            return members
        finally:
            os.unlink(upload_path)
            if fresh:
                shutil.rmtree(fresh, ignore_errors=True)

    def files(self, image_name, limit=500):
        """(path, size in bytes) of the context's files, sorted; at most `limit` of them."""
        top = self.folder(image_name)
        result = []
        for directory, folders, names in os.walk(top):
            folders.sort()
            for name in sorted(names):
                path = os.path.join(directory, name)
                size = 0 if os.path.islink(path) else os.path.getsize(path)
                result.append((os.path.relpath(path, top), size))
                if len(result) >= limit:
                    return result
        return result

    def remove(self, image_name):
        shutil.rmtree(os.path.join(self.root, image_name), ignore_errors=True)

    def empty_folder(self):
        """A folder with nothing in it: the context of an image with no upload."""
        path = os.path.join(self.root, ".empty")
        os.makedirs(path, exist_ok=True)
        return path
