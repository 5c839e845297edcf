"""Image builds from teachers: the build context they upload and how it is checked."""
