-- Tenant isolation for the notes service: row-level security on every
-- tenant table, the non-owner application role and one policy per table,
-- exactly as rlsutil generates them (TestMigrationMatchesRlsutil checks).
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "users" FORCE ROW LEVEL SECURITY;
ALTER TABLE "notes" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "notes" FORCE ROW LEVEL SECURITY;
ALTER TABLE "comments" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "comments" FORCE ROW LEVEL SECURITY;
CREATE ROLE "notes_app" NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
GRANT USAGE ON SCHEMA "public" TO "notes_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."users", "public"."notes", "public"."comments" TO "notes_app";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA "public" TO "notes_app";
CREATE POLICY "users_tenant_isolation" ON "users" AS PERMISSIVE FOR ALL TO "notes_app" USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::bigint AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text) WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::bigint AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text);
CREATE POLICY "notes_tenant_isolation" ON "notes" AS PERMISSIVE FOR ALL TO "notes_app" USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::bigint AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text) WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::bigint AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text);
CREATE POLICY "comments_tenant_isolation" ON "comments" AS PERMISSIVE FOR ALL TO "notes_app" USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::bigint AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text) WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::bigint AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text);
