-- Grafana's SELECT-only user on RisingWave: created once, its password kept equal to .env on
-- every run, and granted every materialized view (a re-run covers views dbt created since).
-- psql variables: reader, password, database.
select exists (
    select 1 from pg_catalog.pg_user where usename = :'reader'
) as reader_exists \gset

\if :reader_exists
alter user :"reader" with password :'password';
\else
create user :"reader" with password :'password';
\endif

grant connect on database :"database" to :"reader";
grant usage on schema public to :"reader";
grant select on all materialized views in schema public to :"reader";
