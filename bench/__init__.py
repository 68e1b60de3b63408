"""The benchmark (``make bench``): the service over HTTP beside the raw database work it does.

On a throwaway PostgreSQL database ``coworking_bench`` (on the server of
``COWORKING_BENCH_POSTGRES_URL``) holding a year of synthetic pilot data (≥ 1,000,000 bookings
by default), one run measures and prints one table:

* booking creation over HTTP (uvicorn with several workers, as in production; ≥ 16 concurrent
  clients, each its own member and desk) beside the same check-and-insert replayed through
  asyncpg with the same concurrency, one transaction per booking;
* availability search latency (p50, p95) beside the statements the endpoint runs;
* every statistics endpoint for a one-year range beside the statements it runs.

"Raw" is always *the statements the app itself runs*, recorded from the app (the SQLAlchemy
cursor events of one in-process request, or :func:`app.stats.service.statements`) and replayed
through a bare asyncpg connection: the ratio is the cost of HTTP, FastAPI, pydantic and the
ORM on top of the database work.
"""
