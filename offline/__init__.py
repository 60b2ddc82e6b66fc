"""The offline engine: the detection SQL on PostgreSQL without a stream (database, load, dbt
runner, clock, schema, recorded input, replay). It imports neither `rules` nor `scoring`: the
rule values and an optional scorer are passed in. Nothing is imported here, so importing a light
module of the package (offline.recorded) does not import dbt."""
