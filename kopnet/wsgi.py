import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopnet.settings")

application = get_wsgi_application()

# What is loaded now (Django, the apps, the URLconf and every view it imports) lives
# as long as the process. Frozen, Python's full garbage collections no longer walk
# it: serving cached profiles of the benchmark's data in one process, a full
# collection came every ~1,500 requests and took 65-70 ms, 6-9 ms frozen
# (bench/gc_pause.py measures it).
import kopnet.urls  # noqa: E402, F401  (imports the views before the freeze)

gc.collect()
gc.freeze()
