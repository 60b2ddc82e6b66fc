-- The case service's user on RisingWave: created once, its password kept equal to .env on every
-- run. It reads the views and the signal log and adds decisions: INSERT and SELECT on
-- case_decisions, never UPDATE or DELETE, so a recorded decision stays as it was. A re-run covers
-- views dbt created since. psql variables: service_user, password, database.
select exists (
    select 1 from pg_catalog.pg_user where usename = :'service_user'
) as service_user_exists \gset

\if :service_user_exists
alter user :"service_user" with password :'password';
\else
create user :"service_user" with password :'password';
\endif

grant connect on database :"database" to :"service_user";
grant usage on schema public to :"service_user";
grant select on all materialized views in schema public to :"service_user";
grant select on table signal_log to :"service_user";
grant select, insert on table case_decisions to :"service_user";
