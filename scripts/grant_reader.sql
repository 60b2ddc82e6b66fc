-- Grafana's SELECT-only user on RisingWave: created once, its password kept equal to .env on
-- every run, and granted every materialized view and view (a re-run covers those dbt created
-- since).
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
-- The one plain view: mv_shadow_vs_live, empty until a shadow run replaces it with a materialized
-- view (models/rules/mv_shadow_vs_live_pending.sql), so the dashboards can read it meanwhile.
grant select on all views in schema public to :"reader";
