"""``maclip serve``: MA-CLIP scores and quality maps over HTTP, with a web page.

* :mod:`.limits` holds the service settings, request-parameter parsing and the
  cheap header probe that refuses non-images and decompression bombs;
* :mod:`.batching` combines concurrent requests into shared encoder batches;
* :mod:`.payloads` turns results into JSON (quality-map grids, PNG overlays);
* :mod:`.app` is the FastAPI application, :mod:`.commands` the command line.

Importing this package imports nothing from the ``serve`` extra (FastAPI,
uvicorn); only :mod:`.app` does.
"""
