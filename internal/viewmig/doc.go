// Package viewmig is solarview's view-migration engine: it keeps the views
// defined in code (package views) and the SQL migration files (package
// migrations) in step, the workflow the seed "Postgres VIEW from Django
// QuerySet" asked of Django, including the two parts Django left unsolved:
// the backwards migration and the autodetector.
//
// The pieces:
//
//   - [FromViews] renders each view's Bun builder without a connection and
//     normalizes it with pg_query (parse, then deparse), so spelling,
//     quoting and redundant parentheses never count as a change while a
//     changed constant does. Fingerprints are never compared: they ignore
//     constants. Dependencies come from the parse tree's RangeVars.
//   - [ReadHistory] replays every *.up.sql in order, following CREATE [OR
//     REPLACE] [MATERIALIZED] VIEW, DROP, ALTER ... RENAME and indexes on
//     materialized views. The files are the source of truth, so hand-written
//     migrations count.
//   - [Check] and [Compare] report drift with a unified diff of pretty-printed
//     SQL; they need no database and take milliseconds.
//   - [MakeMigration] plans the change on a scratch PostgreSQL database
//     (output column types come from the catalog, inside transactions that
//     are rolled back) and writes CREATE OR REPLACE where PostgreSQL allows it
//     and drop-and-create of the view and all its dependents otherwise, with
//     a down migration restoring the previous definitions. Both files are run
//     and rolled back before they are returned.
//     Whatever it drops and creates again keeps its privileges, comment and
//     owner: DO blocks save them before the drops and restore them after
//     (keep.go), at run time, since hand grants are only known then.
//   - Generated migrations record per view the hash of the definition they
//     start from and end with (solarview:view headers); two migrations
//     forking a view's chain are a branch conflict, which [MakeMerge]
//     resolves by rewriting the branch migrations to apply from either
//     branch's state and adding a merge migration.
//   - [CompareDatabase] compares a live database with the migrations:
//     definitions, options, comments, privileges and materialized view
//     indexes.
//
// The engine takes its views and migrations as arguments ([]views.View and
// an fs.FS), never from globals, so tests use registries of their own.
package viewmig
