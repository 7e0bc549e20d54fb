"""Static files in production: whitenoise's compressed manifest storage, its URLs remembered.

Every page links five static files, and `{% static %}` asked the manifest storage each time:
it splits, unquotes, looks up and rejoins the name, about 75 µs a file on the benchmark's
machine (0.4 ms of every page; `make bench`). The answer depends only on the name, the
manifest loaded at start-up and DEBUG, so it is remembered. `collectstatic` rewrites the
manifest; post-processing forgets what was remembered.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class RememberingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    MAX_REMEMBERED = 1024  # names in templates are literals; a bound all the same

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        key = (name, settings.DEBUG)  # in DEBUG the storage answers unhashed names
        url = self._urls.get(key)
        if url is None:
            url = super().url(name)  # a name missing from the manifest raises: not remembered
            if len(self._urls) < self.MAX_REMEMBERED:
                self._urls[key] = url
        return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        try:
            yield from super().post_process(*args, **kwargs)
        finally:
            self._urls.clear()
